// The storage backends the parametrised storage suite runs against: SQLite in a temp dir, and
// etcd (a real three-member cluster, one per test file, each test under its own key prefix).
import type { Storage } from './types.ts';
import { SqliteStorage } from './sqlite/storage.ts';
import { tempDir } from './sqlite/test-helpers.ts';
import { join } from 'node:path';
import { EtcdStorage } from './etcd/storage.ts';
import type { EtcdStorageOptions } from './etcd/options.ts';
import { startEtcdCluster } from '../testing/etcd-cluster.ts';
import type { EtcdCluster } from '../testing/etcd-cluster.ts';

export interface OpenedStorage {
  storage: Storage;
  /** Reopens the same data (a restarted API server). */
  reopen(): Promise<Storage>;
  /** A revision older than what the storage can still watch from (after making it so). */
  expiredRevision(): Promise<number>;
  close(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'etcd';
  /** Once per file. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(opts?: { onWatchError?: (err: unknown, resource: string) => void }): Promise<OpenedStorage>;
}

export function sqliteBackend(): Backend {
  return {
    name: 'sqlite',
    async setup() {},
    async teardown() {},
    async open(opts = {}) {
      const t = tempDir();
      const path = join(t.dir, 'skiff.db');
      let s = SqliteStorage.open(path, { maintenanceIntervalMs: 0, retainRevisions: 2, compactBatchSize: 2, ...opts });
      return {
        storage: s,
        async reopen() {
          s.close();
          s = SqliteStorage.open(path, { maintenanceIntervalMs: 0, ...opts });
          return s;
        },
        async expiredRevision() {
          await s.compact();
          return s.compactedRevision() - 1;
        },
        async close() {
          s.close();
          t.cleanup();
        },
      };
    },
  };
}

let prefixes = 0;

export function etcdBackend(): Backend {
  let cluster: EtcdCluster | undefined;
  return {
    name: 'etcd',
    async setup() {
      cluster = await startEtcdCluster(3);
    },
    async teardown() {
      await cluster?.stop();
    },
    async open(opts = {}) {
      const o: EtcdStorageOptions = { hosts: cluster!.hosts, prefix: `/skiff-t${process.pid}-${++prefixes}/`, compactIntervalMs: 0, ...opts };
      let s = await EtcdStorage.open(o);
      return {
        storage: s,
        async reopen() {
          s.close();
          s = await EtcdStorage.open(o);
          return s;
        },
        async expiredRevision() {
          // The watch window starts where this storage opened (or where it last dropped events):
          // a watch from before it cannot be served without a gap.
          return s.stats().ringOldestRevision - 1;
        },
        async close() {
          s.close();
        },
      };
    },
  };
}

/** Both backends; SKIFF_STORAGE_BACKENDS=sqlite (or etcd) narrows it. */
export function backends(): Backend[] {
  const only = process.env.SKIFF_STORAGE_BACKENDS?.split(',').map((s) => s.trim());
  return [sqliteBackend(), etcdBackend()].filter((b) => !only || only.includes(b.name));
}
