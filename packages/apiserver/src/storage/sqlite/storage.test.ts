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

  test('create stamps the next revision as resourceVersion and does not mutate the input', () => {
    const input = pod('a');
    const out = s.create(podKey('a'), input);
    expect(out.metadata.resourceVersion).toBe('1');
    expect(input.metadata.resourceVersion).toBeUndefined();
    expect(s.currentRevision()).toBe(1);
    expect(s.get(podKey('a'))).toEqual(out);
    expect(JSON.parse(s.getRaw(podKey('a'))!)).toEqual(out);
    expect(s.create(podKey('b'), pod('b')).metadata.resourceVersion).toBe('2');
  });

  test('get returns a private copy; missing keys are undefined', () => {
    s.create(podKey('a'), pod('a'));
    const g = s.get(podKey('a'))!;
    g.metadata.labels = { changed: 'yes' };
    expect(s.get(podKey('a'))!.metadata.labels).toEqual({ app: 'web' });
    expect(s.get(podKey('nope'))).toBeUndefined();
    expect(s.getRaw(podKey('a', 'other-ns'))).toBeUndefined();
  });

  test('create of an existing key throws AlreadyExists and consumes no revision', () => {
    s.create(podKey('a'), pod('a'));
    expect(code(() => s.create(podKey('a'), pod('a')))).toBe('AlreadyExists');
    expect(s.currentRevision()).toBe(1);
    // Same name in another namespace or resource is a different key.
    s.create(podKey('a', 'kube-system'), pod('a', 'kube-system'));
    s.create({ resource: 'apps/deployments', namespace: 'default', name: 'a' }, pod('a'));
    expect(s.currentRevision()).toBe(3);
  });

  test('update is read-modify-write with a private copy, bumps the revision', () => {
    s.create(podKey('a'), pod('a'));
    const out = s.update(podKey('a'), (cur) => {
      expect(cur.metadata.resourceVersion).toBe('1');
      cur.spec.containers[0].image = 'nginx:2';
      return cur;
    });
    expect(out.metadata.resourceVersion).toBe('2');
    expect(s.get(podKey('a'))!.spec.containers[0].image).toBe('nginx:2');
  });

  test('update with expectedRevision: match succeeds, mismatch is Conflict and changes nothing', () => {
    s.create(podKey('a'), pod('a'));
    s.update(podKey('a'), (c) => ({ ...c, spec: { x: 1 } }), 1);
    expect(code(() => s.update(podKey('a'), (c) => ({ ...c, spec: { x: 2 } }), 1))).toBe('Conflict');
    expect(s.get(podKey('a'))!.spec).toEqual({ x: 1 });
    expect(s.currentRevision()).toBe(2);
  });

  test('update of a missing key is NotFound', () => {
    expect(code(() => s.update(podKey('a'), (c) => c))).toBe('NotFound');
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

  test('mutate returning null deletes', () => {
    s.create(podKey('a'), pod('a'));
    const last = s.update(podKey('a'), () => null);
    expect(last.metadata.resourceVersion).toBe('2');
    expect(s.get(podKey('a'))).toBeUndefined();
  });

  test('an update that changes nothing writes nothing and keeps the revision', () => {
    s.create(podKey('a'), pod('a'));
    const out = s.update(podKey('a'), (c) => c);
    expect(out.metadata.resourceVersion).toBe('1');
    expect(s.currentRevision()).toBe(1);
  });

  test('delete returns the last state stamped with the deletion revision; NotFound and Conflict', () => {
    s.create(podKey('a'), pod('a'));
    s.create(podKey('b'), pod('b'));
    expect(code(() => s.delete(podKey('a'), 7))).toBe('Conflict');
    const last = s.delete(podKey('a'), 1);
    expect(last.metadata.name).toBe('a');
    expect(last.metadata.resourceVersion).toBe('3');
    expect(s.get(podKey('a'))).toBeUndefined();
    expect(code(() => s.delete(podKey('a')))).toBe('NotFound');
    // Re-creating a deleted key works and takes a new revision.
    expect(s.create(podKey('a'), pod('a')).metadata.resourceVersion).toBe('4');
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
