// SQLite-only behaviour of the storage (exact revision counter, the refusal of writes inside a write,
// timing hooks, the pid lock); the contract both backends share is ../storage.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../types.ts';
import type { KubeObject } from '@skiff/api';
import { openStorage } from '../index.ts';
import { SqliteStorage } from './storage.ts';
import { openIn, pod, podKey, tempDir } from './test-helpers.ts';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof StorageError ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
};

describe('SqliteStorage CRUD', () => {
  let t: ReturnType<typeof tempDir>;
  let s: SqliteStorage;
  beforeEach(() => {
    t = tempDir();
    s = openIn(t.dir);
  });
  afterEach(() => {
    s.close();
    t.cleanup();
  });

  test('an exception thrown by mutate propagates unchanged and rolls back', () => {
    s.create(podKey('a'), pod('a'));
    const boom = new Error('boom');
    let caught: unknown;
    try {
      s.update(podKey('a'), () => {
        throw boom;
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(boom);
    expect(s.currentRevision()).toBe(1);
    // The connection is usable afterwards (no transaction left open).
    expect(s.create(podKey('b'), pod('b')).metadata.resourceVersion).toBe('2');
  });

  test('a write from inside mutate is refused, and the outer update rolls back', () => {
    s.create(podKey('a'), pod('a'));
    expect(() => s.update(podKey('a'), (c) => (s.create(podKey('b'), pod('b')), c))).toThrow(/inside another write/);
    expect(s.get(podKey('b'))).toBeUndefined();
    expect(s.currentRevision()).toBe(1);
  });

  test('stats and the timing hook', () => {
    s.close();
    const ops: string[] = [];
    s = openIn(t.dir, { onTiming: (op, ms) => (expect(ms).toBeGreaterThanOrEqual(0), ops.push(op)) });
    s.create(podKey('a'), pod('a'));
    s.get(podKey('a'));
    s.list('pods');
    s.update(podKey('a'), (c) => ({ ...c, spec: {} }));
    s.delete(podKey('a'));
    expect(ops).toEqual(['create', 'get', 'list', 'update', 'delete']);
    const st = s.stats();
    expect(st.revision).toBe(3);
    expect(st.dbBytes).toBeGreaterThan(0);
    expect(st.walBytes).toBeGreaterThan(0);
    expect(st.ringEvents).toBe(3);
    expect(st.openedAt).toBeLessThanOrEqual(Date.now());
  });
});

describe('SqliteStorage restart', () => {
  test('data and the revision counter survive close and reopen; revisions keep increasing', () => {
    const t = tempDir();
    try {
      let s = openIn(t.dir);
      s.create(podKey('a'), pod('a'));
      s.create(podKey('b'), pod('b'));
      s.delete(podKey('b'));
      expect(s.currentRevision()).toBe(3);
      s.close();
      s = openIn(t.dir);
      expect(s.currentRevision()).toBe(3);
      expect(s.get(podKey('a'))!.metadata.resourceVersion).toBe('1');
      // A deleted key's revision is not reused either.
      expect(s.create(podKey('c'), pod('c')).metadata.resourceVersion).toBe('4');
      s.close();
      s = openIn(t.dir);
      expect(s.currentRevision()).toBe(4);
      s.close();
    } finally {
      t.cleanup();
    }
  });

  test('openStorage creates the data dir; a second open of the same database is refused', () => {
    const t = tempDir();
    try {
      const dataDir = join(t.dir, 'nested', 'data');
      const s = openStorage({ dataDir, maintenanceIntervalMs: 0 });
      expect(existsSync(join(dataDir, 'skiff.db'))).toBe(true);
      expect(() => openStorage({ dataDir })).toThrow(/already open/);
      s.close();
      expect(existsSync(join(dataDir, 'skiff.db.lock'))).toBe(false);
      openStorage({ dataDir, maintenanceIntervalMs: 0 }).close();
    } finally {
      t.cleanup();
    }
  });

  test('closed storage refuses operations', () => {
    const t = tempDir();
    const s = openIn(t.dir);
    s.close();
    s.close(); // idempotent
    expect(() => s.get(podKey('a'))).toThrow(/closed/);
    expect(() => s.create(podKey('a'), pod('a') as KubeObject)).toThrow(/closed/);
    t.cleanup();
  });
});
