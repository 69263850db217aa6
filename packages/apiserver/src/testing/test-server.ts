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
import { ensureClusterPki, issueCertificate, type ClusterPki, type IssueOptions, type KeyPair } from '../auth/pki.ts';
import { renderKubeconfig } from '../auth/kubeconfig.ts';
import { writeFileSync } from 'node:fs';
import { EncryptingStorage, ENCRYPTION_KEY_FILE } from '../storage/encryption/index.ts';

/** The backend under the Secrets' encryption layer. */
function unwrapped(s: Storage): Storage {
  return s instanceof EncryptingStorage ? s.inner : s;
}

export interface TestServerOptions extends Omit<BuildAppOptions, 'storage' | 'dataDir' | 'tls'> {
  /** Opens the storage with these options (e.g. a short watch history for 410 tests; on etcd `retainRevisions` sizes the watch window). */
  storage?: Omit<SqliteStorageOptions, 'dataDir'>;
  /**
   * Serve HTTPS as `skiff server` does: a cluster PKI made in the data directory, client
   * certificates and tokens authenticate, ServiceAccount tokens are signed. Without it the server
   * speaks plain HTTP and every request is system:unsecured (what most tests need).
   */
  https?: boolean;
  /** Seal Secrets at rest as `skiff server` does (ADR 0020); default true. */
  encryptSecrets?: boolean;
}

/** The PKI of a test server started with `https: true`. */
export interface TestServerTls {
  pki: ClusterPki;
  /** PEM of the cluster CA. */
  ca: string;
  /** The admin client certificate (O=system:masters). */
  admin: KeyPair;
  /** An admin kubeconfig (client certificate), for kubectl and client-node. */
  kubeconfig: string;
  /** Issues a client certificate signed by the cluster CA. */
  issue(opts: Omit<IssueOptions, 'usage'>): Promise<KeyPair>;
}

export interface TestServer {
  /** http://127.0.0.1:PORT (https:// with `https: true`) */
  url: string;
  /** With `https: true`. */
  tls?: TestServerTls;
  port: number;
  app: FastifyInstance;
  storage: Storage;
  dataDir: string;
  /** The Secrets' encryption keys (unless `encryptSecrets: false`). */
  encryptionKeyFile?: string;
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
  const { storage: storageOptions, https, encryptSecrets = true, ...appOptions } = opts;
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-test-'));
  if (encryptSecrets) appOptions.encryptionKeyFile ??= join(dataDir, ENCRYPTION_KEY_FILE);
  const storage = storageOptions ? openStorage({ dataDir, ...storageOptions }) : undefined;
  const secure = https ? await secureOptions(dataDir, appOptions) : undefined;
  const app = await buildApp({ ...appOptions, ...secure?.app, ...(storage ? { storage } : { dataDir }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const url = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url,
    tls: secure?.tls(url),
    port,
    app,
    storage: app.skiff.storage,
    dataDir,
    encryptionKeyFile: appOptions.encryptionKeyFile,
    async revision() {
      return app.skiff.storage.currentRevision();
    },
    async compact() {
      await (unwrapped(app.skiff.storage) as SqliteStorage).compact();
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
  const { https, encryptSecrets = true, ...rest } = appOptions;
  const keyDir = encryptSecrets ? mkdtempSync(join(tmpdir(), 'skiff-test-keys-')) : undefined;
  if (keyDir) rest.encryptionKeyFile ??= join(keyDir, ENCRYPTION_KEY_FILE);
  const c = await testEtcdCluster();
  const etcd: EtcdStorageOptions = { hosts: c.hosts, prefix: `/skiff-test-${process.pid}-${++prefixes}/`, compactIntervalMs: 0 };
  if (storageOptions?.retainRevisions) etcd.windowSize = storageOptions.retainRevisions;
  const pkiDir = https ? mkdtempSync(join(tmpdir(), 'skiff-test-pki-')) : undefined;
  const secure = pkiDir ? await secureOptions(pkiDir, rest) : undefined;
  const app = await buildApp({ ...rest, ...secure?.app, etcd });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  let closed: Promise<void> | undefined;
  const url = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
  const server: TestServer = {
    url,
    tls: secure?.tls(url),
    port,
    app,
    storage: app.skiff.storage,
    dataDir: '',
    encryptionKeyFile: rest.encryptionKeyFile,
    async revision() {
      return (await app.skiff.storage.list('namespaces', { limit: 1 })).revision;
    },
    async compact() {},
    close() {
      openEtcdServers.delete(server);
      return (closed ??= app.close().then(() => {
        for (const d of [pkiDir, keyDir]) if (d) rmSync(d, { recursive: true, force: true });
      }));
    },
  };
  openEtcdServers.add(server);
  return server;
}

/** The PKI (in `dir`/pki) and the app options that make a test server serve HTTPS like `skiff server`. */
async function secureOptions(dir: string, appOptions: Omit<BuildAppOptions, 'storage' | 'dataDir' | 'tls'>): Promise<{ app: Partial<BuildAppOptions>; tls(url: string): TestServerTls }> {
  const pki = await ensureClusterPki(join(dir, 'pki'), ['127.0.0.1', 'localhost']);
  return {
    app: {
      tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert, kubeletClient: pki.kubeletClient },
      authentication: { serviceAccountKey: pki.serviceAccountKey, ...appOptions.authentication },
    },
    tls(url) {
      const kubeconfig = join(dir, 'admin.kubeconfig');
      writeFileSync(kubeconfig, renderKubeconfig({ server: url, ca: pki.ca.cert, user: pki.admin }), { mode: 0o600 });
      return { pki, ca: pki.ca.cert, admin: pki.admin, kubeconfig, issue: (o) => issueCertificate(pki.ca, { ...o, usage: 'client' }) };
    },
  };
}
