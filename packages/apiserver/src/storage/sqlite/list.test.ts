import type { KubeObject } from '@skiff/api';
import { StorageError } from '../types.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import type { SqliteStorage } from './storage.ts';
import { openIn, pod, podKey, tempDir } from './test-helpers.ts';
import { rawTextString } from '../object-text.ts';

const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('list', () => {
  let t: ReturnType<typeof tempDir>;
  let s: SqliteStorage;
  beforeEach(() => {
    t = tempDir();
    s = openIn(t.dir);
    // Inserted out of order on purpose.
    for (const [ns, n] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['a', 'b'], ['c', 'm'], ['a', 'a']]) {
      s.create(podKey(n, ns), pod(n, ns, { spec: { odd: n === 'y' || n === 'm' } }));
    }
    s.create({ resource: 'configmaps', namespace: 'a', name: 'cm' }, pod('cm', 'a'));
  });
  afterEach(() => {
    s.close();
    t.cleanup();
  });

  test('orders by (namespace, name), scoped to the resource, at the current revision', () => {
    const r = s.list('pods');
    expect(names(r.items)).toEqual(['a/a', 'a/b', 'a/y', 'b/a', 'b/z', 'c/m']);
    expect(r.revision).toBe(7);
    expect(r.continue).toBeUndefined();
    expect(r.remainingItemCount).toBeUndefined();
    expect(names(s.list('pods', { namespace: 'b' }).items)).toEqual(['b/a', 'b/z']);
    expect(s.list('pods', { namespace: 'none' }).items).toEqual([]);
    expect(s.list('nothing').items).toEqual([]);
  });

  test('listRaw returns the stored texts', () => {
    const raw = s.listRaw('pods', { namespace: 'a' });
    expect(raw.items.map((x) => JSON.parse(rawTextString(x)))).toEqual(s.list('pods', { namespace: 'a' }).items);
    expect(JSON.parse(rawTextString(raw.items[0])).metadata.resourceVersion).toBe('6');
  });

  test('limit/continue pages through everything exactly once, with remainingItemCount', () => {
    const seen: string[] = [];
    let token: string | undefined;
    const remaining: (number | undefined)[] = [];
    do {
      const page = s.list('pods', { limit: 4, continue: token });
      expect(page.revision).toBe(7);
      seen.push(...names(page.items));
      remaining.push(page.remainingItemCount);
      token = page.continue;
    } while (token);
    expect(seen).toEqual(['a/a', 'a/b', 'a/y', 'b/a', 'b/z', 'c/m']);
    expect(remaining).toEqual([2, undefined]);
  });

  test('paging within a namespace', () => {
    const p1 = s.list('pods', { namespace: 'a', limit: 2 });
    expect(names(p1.items)).toEqual(['a/a', 'a/b']);
    expect(p1.remainingItemCount).toBe(1);
    const p2 = s.list('pods', { namespace: 'a', limit: 2, continue: p1.continue });
    expect(names(p2.items)).toEqual(['a/y']);
    expect(p2.continue).toBeUndefined();
  });

  test('a continued list reports the first page revision but reads the next page as of now', () => {
    const p1 = s.list('pods', { limit: 3 });
    s.create(podKey('c', 'b'), pod('c', 'b'));
    s.delete(podKey('z', 'b'));
    const p2 = s.list('pods', { limit: 10, continue: p1.continue });
    expect(p2.revision).toBe(7);
    expect(names(p2.items)).toEqual(['b/a', 'b/c', 'c/m']);
  });

  test('filter is applied before the limit is counted', () => {
    const odd = (o: KubeObject) => o.spec.odd === true;
    const p1 = s.list('pods', { filter: odd, limit: 1 });
    expect(names(p1.items)).toEqual(['a/y']);
    expect(p1.continue).toBeDefined();
    expect(p1.remainingItemCount).toBeUndefined();
    const p2 = s.list('pods', { filter: odd, limit: 1, continue: p1.continue });
    expect(names(p2.items)).toEqual(['c/m']);
    // c/m is the last key: nothing remains.
    expect(p2.continue).toBeUndefined();
    expect(names(s.list('pods', { filter: odd }).items)).toEqual(['a/y', 'c/m']);
    expect(s.listRaw('pods', { filter: odd }).items).toHaveLength(2);
  });

  test('filter over more rows than one read chunk', () => {
    for (let i = 0; i < 1500; i++) s.create(podKey(`p${String(i).padStart(4, '0')}`, 'big'), pod(`p${i}`, 'big', { spec: { i } }));
    const every100 = (o: KubeObject) => o.spec.i !== undefined && o.spec.i % 100 === 0;
    expect(s.list('pods', { filter: every100 }).items.map((o) => o.spec.i)).toEqual(Array.from({ length: 15 }, (_, i) => i * 100));
    const p1 = s.list('pods', { filter: every100, limit: 10 });
    expect(p1.items).toHaveLength(10);
    const p2 = s.list('pods', { filter: every100, limit: 10, continue: p1.continue });
    expect(p2.items.map((o) => o.spec.i)).toEqual([1000, 1100, 1200, 1300, 1400]);
  });

  test('a malformed continue token, or one older than the compacted revision, is Expired', async () => {
    const expired = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof StorageError && e.code === 'Expired';
      }
      return false;
    };
    expect(expired(() => s.list('pods', { continue: 'garbage' }))).toBe(true);
    const p1 = s.list('pods', { limit: 2 });
    expect(expired(() => s.list('pods', { namespace: 'c', continue: p1.continue }))).toBe(true);
    s.close();
    s = openIn(t.dir, { retainRevisions: 1 });
    s.create(podKey('late', 'c'), pod('late', 'c'));
    s.create(podKey('later', 'c'), pod('later', 'c'));
    expect(await s.compact()).toBe(8);
    expect(expired(() => s.list('pods', { limit: 2, continue: p1.continue }))).toBe(true);
  });
});

describe('continue token', () => {
  test('round-trips and rejects foreign input', () => {
    const p = { revision: 42, namespace: 'kube-system', name: 'x/"y' };
    expect(decodeContinue(encodeContinue(p))).toEqual(p);
    expect(decodeContinue('')).toBeUndefined();
    expect(decodeContinue(Buffer.from('[2,1,"a","b"]').toString('base64url'))).toBeUndefined();
    expect(decodeContinue(Buffer.from('[1,-1,"a","b"]').toString('base64url'))).toBeUndefined();
    expect(decodeContinue(Buffer.from('{"a":1}').toString('base64url'))).toBeUndefined();
  });
});
