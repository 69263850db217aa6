// The one "real API server for a test" of skiff: buildApp on port 0 with its own SQLite
// directory in a temporary folder, removed again by close(). Every package's integration tests
// and the e2e suites start their server with this.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../app.ts';
import { openStorage, type SqliteStorageOptions } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';

export interface TestServerOptions extends Omit<BuildAppOptions, 'storage' | 'dataDir'> {
  /** Opens the storage with these options (e.g. a short watch history for 410 tests). */
  storage?: Omit<SqliteStorageOptions, 'dataDir'>;
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  app: FastifyInstance;
  storage: Storage;
  dataDir: string;
  /** Stops the server, closes the storage and removes the data directory. */
  close(): Promise<void>;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const { storage: storageOptions, ...appOptions } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-test-'));
  const storage = storageOptions ? openStorage({ dataDir, ...storageOptions }) : undefined;
  const app = await buildApp(storage ? { ...appOptions, storage } : { ...appOptions, dataDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    storage: app.skiff.storage,
    dataDir,
    async close() {
      await app.close();
      storage?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
