// A real skiff API server on a free port with its own SQLite file, for one test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '@skiff/apiserver';

export interface TestServer {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-e2e-'));
  const server = await startApiServer({ dataDir, host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    dataDir,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
