// A real skiff API server on a free port with its own SQLite file, for one test file: the shared
// test server of @skiff/apiserver.
import { startTestServer, type TestServer } from '@skiff/apiserver/testing';
import { Kubectl } from './kubectl.ts';

export { startTestServer, type TestServer };

/**
 * The file's server over HTTPS, and the real kubectl with its admin client certificate (as a
 * user's kubeconfig from `skiff server` is): started before the file's tests, handed to `use`,
 * and closed after them.
 */
export function useKubectlServer(use: (kubectl: Kubectl, server: TestServer) => void): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer({ https: true });
    use(new Kubectl(server.url, server.tls!.kubeconfig), server);
  });
  afterAll(async () => {
    await server?.close();
  });
}
