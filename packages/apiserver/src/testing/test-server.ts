// The one "real API server for a test" of skiff: buildApp on port 0 with its own SQLite
// directory in a temporary folder, removed again by close(). Every package's integration tests
// and the e2e suites start their server with this. With SKIFF_TEST_DATASTORE=etcd (the jest
// project "etcd" sets it) the server runs on the etcd backend instead: one real three-member
// cluster per test file, started on first use, each server under its own key prefix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from '../app.ts';
import { openStorage, type SqliteStorageOptions } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import type { SqliteStorage } from '../storage/sqlite/storage.ts';
import type { EtcdStorageOptions } from '../storage/etcd/options.ts';
import { startEtcdCluster, type EtcdCluster } from './etcd-cluster.ts';

export interface TestServerOptions extends Omit<BuildAppOptions, 'storage' | 'dataDir'> {
  /** Opens the storage with these options (e.g. a short watch history for 410 tests; on etcd `retainRevisions` sizes the watch window). */
  storage?: Omit<SqliteStorageOptions, 'dataDir'>;
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  app: FastifyInstance;
  storage: Storage;
  dataDir: string;
  /** The store's newest revision, read through (on etcd a quorum read): unchanged means nothing was written. */
  revision(): Promise<number>;
  /** Drops history older than the storage's retention (SQLite: compaction; etcd: its watch window drops it as it fills). */
  compact(): Promise<void>;
  /** Stops the server, closes the storage and removes the data directory. */
  close(): Promise<void>;
}

export const TEST_DATASTORE: 'sqlite' | 'etcd' = process.env.SKIFF_TEST_DATASTORE === 'etcd' ? 'etcd' : 'sqlite';

let cluster: Promise<EtcdCluster> | undefined;
let prefixes = 0;
const openEtcdServers = new Set<TestServer>();
if (TEST_DATASTORE === 'etcd' && typeof afterAll === 'function') {
  // Registered before the test file's own hooks, this may run first: servers still open are
  // closed here, before the cluster goes away under them.
  afterAll(async () => {
    for (const s of [...openEtcdServers]) await s.close();
    if (cluster) await (await cluster).stop();
    cluster = undefined;
  });
}

/** The test file's etcd cluster (SKIFF_TEST_DATASTORE=etcd), started on first use. */
export function testEtcdCluster(): Promise<EtcdCluster> {
  return (cluster ??= startEtcdCluster(3));
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  if (TEST_DATASTORE === 'etcd') return startEtcdTestServer(opts);
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
    async revision() {
      return app.skiff.storage.currentRevision();
    },
    async compact() {
      await (app.skiff.storage as SqliteStorage).compact();
    },
    async close() {
      await app.close();
      storage?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startEtcdTestServer(opts: TestServerOptions): Promise<TestServer> {
  const { storage: storageOptions, ...appOptions } = opts;
  const c = await testEtcdCluster();
  const etcd: EtcdStorageOptions = { hosts: c.hosts, prefix: `/skiff-test-${process.pid}-${++prefixes}/`, compactIntervalMs: 0 };
  if (storageOptions?.retainRevisions) etcd.windowSize = storageOptions.retainRevisions;
  const app = await buildApp({ ...appOptions, etcd });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  let closed: Promise<void> | undefined;
  const server: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    storage: app.skiff.storage,
    dataDir: '',
    async revision() {
      return (await app.skiff.storage.list('namespaces', { limit: 1 })).revision;
    },
    async compact() {},
    close() {
      openEtcdServers.delete(server);
      return (closed ??= app.close());
    },
  };
  openEtcdServers.add(server);
  return server;
}
