// The storage contract, run against every backend (SQLite and etcd) as one parametrised suite.
// Revisions are compared relative to where a test started: etcd's revision is shared by every
// key of the cluster. Backend-specific behaviour (SQLite's log, group commit, crash safety;
// etcd's watch supervision and several servers on one cluster) is tested beside each backend.
import type { KubeObject } from '@skiff/api';
import type { Storage, StorageEvent } from './types.ts';
import { StorageError } from './types.ts';
import { backends } from './test-backends.ts';
import { until } from '../testing/until.ts';
import type { OpenedStorage } from './test-backends.ts';
import { pod, podKey } from './sqlite/test-helpers.ts';
import { rawTextString, storedTextOf } from './object-text.ts';

const codeOf = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
  } catch (e) {
    return e instanceof StorageError ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
};
const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);
const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

type Seen = { type: string; revision: number; name: string; ns: string; rv: number; prevRv?: number };
const record = (into: Seen[]) => (e: StorageEvent) =>
  into.push({
    type: e.type,
    revision: e.revision,
    name: e.key.name,
    ns: e.key.namespace,
    rv: Number(e.object.metadata.resourceVersion),
    prevRv: e.prevObject ? Number(e.prevObject.metadata.resourceVersion) : undefined,
  });

describe.each(backends())('storage on $name', (backend) => {
  let opened: OpenedStorage;
  let s: Storage;
  beforeAll(() => backend.setup(), 30_000);
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    opened = await backend.open();
    s = opened.storage;
  });
  afterEach(() => opened.close());

  describe('CRUD', () => {
    test('create stamps a new revision as resourceVersion and does not mutate the input', async () => {
      const before = s.currentRevision();
      const input = pod('a');
      const out = await s.create(podKey('a'), input);
      expect(rv(out)).toBeGreaterThan(before);
      expect(input.metadata.resourceVersion).toBeUndefined();
      expect(await s.get(podKey('a'))).toEqual(out);
      expect(JSON.parse((await s.getRaw!(podKey('a')))!)).toEqual(out);
      expect(rv(await s.create(podKey('b'), pod('b')))).toBe(rv(out) + 1);
    });

    test('the text a create keeps for its reply is the stored text, the returned object exactly', async () => {
      const out = await s.create(podKey('t'), pod('t'));
      const text = storedTextOf(out);
      expect(text).toBe(await s.getRaw!(podKey('t')));
      expect(JSON.parse(text!)).toEqual(out);
      // Only that very object has it: a copy is serialized as usual.
      expect(storedTextOf({ ...out })).toBeUndefined();
    });

    test('so does an update, changed or not: the stored text, the returned object exactly', async () => {
      const a = await s.create(podKey('u'), pod('u'));
      for (const [label, mutate] of [['changed', (c: KubeObject) => ({ ...c, spec: { x: 1 } })], ['unchanged', (c: KubeObject) => c]] as const) {
        const out = await s.update(podKey('u'), mutate);
        const text = storedTextOf(out);
        expect([label, text]).toEqual([label, await s.getRaw!(podKey('u'))]);
        expect(JSON.parse(text!)).toEqual(out);
      }
      // With the object the caller read (an update's first guess on etcd), too.
      const cur = (await s.get(podKey('u')))!;
      const out = await s.update(podKey('u'), (c) => ({ ...c, spec: { x: 2 } }), rv(cur), cur);
      expect(storedTextOf(out)).toBe(await s.getRaw!(podKey('u')));
      expect(rv(out)).toBeGreaterThan(rv(a));
    });

    test('get returns a private copy; missing keys are undefined', async () => {
      await s.create(podKey('a'), pod('a'));
      const g = (await s.get(podKey('a')))!;
      g.metadata.labels = { changed: 'yes' };
      expect((await s.get(podKey('a')))!.metadata.labels).toEqual({ app: 'web' });
      expect(await s.get(podKey('nope'))).toBeUndefined();
      expect(await s.getRaw!(podKey('a', 'other-ns'))).toBeUndefined();
    });

    test('create of an existing key is AlreadyExists and takes no revision; other namespaces and resources are other keys', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      expect(await codeOf(() => s.create(podKey('a'), pod('a', 'default', { spec: { other: true } })))).toBe('AlreadyExists');
      const b = await s.create(podKey('a', 'kube-system'), pod('a', 'kube-system'));
      expect(rv(b)).toBe(rv(a) + 1);
      await s.create({ resource: 'apps/deployments', namespace: 'default', name: 'a' }, pod('a'));
      expect((await s.get(podKey('a')))!.spec).toEqual(pod('a').spec);
    });

    test('update is read-modify-write on a private copy and takes a new revision', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const out = await s.update(podKey('a'), (cur) => {
        expect(rv(cur)).toBe(rv(a));
        cur.spec.containers[0].image = 'nginx:2';
        return cur;
      });
      expect(rv(out)).toBe(rv(a) + 1);
      expect((await s.get(podKey('a')))!.spec.containers[0].image).toBe('nginx:2');
    });

    test('expectedRevision: a match succeeds, a mismatch is Conflict and changes nothing', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      await s.update(podKey('a'), (c) => ({ ...c, spec: { x: 1 } }), rv(a));
      expect(await codeOf(() => s.update(podKey('a'), (c) => ({ ...c, spec: { x: 2 } }), rv(a)))).toBe('Conflict');
      expect((await s.get(podKey('a')))!.spec).toEqual({ x: 1 });
    });

    test('expectedRevision with the object the caller read (known): written as from a read; stale, deleted or unchanged, as without it', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const seen: number[] = [];
      const b = await s.update(podKey('a'), (c) => (seen.push(rv(c)), { ...c, spec: { x: 1 } }), rv(a), a);
      expect(seen).toEqual([rv(a)]);
      expect(rv(b)).toBeGreaterThan(rv(a));
      expect(await s.get(podKey('a'))).toEqual(b);
      // What the caller read has moved on: Conflict, nothing written.
      expect(await codeOf(() => s.update(podKey('a'), (c) => ({ ...c, spec: { x: 2 } }), rv(a), a))).toBe('Conflict');
      expect((await s.get(podKey('a')))!.spec).toEqual({ x: 1 });
      // Nothing changes: no new revision.
      expect(rv(await s.update(podKey('a'), (c) => c, rv(b), b))).toBe(rv(b));
      expect(rv((await s.get(podKey('a')))!)).toBe(rv(b));
      // Deleted since it was read: NotFound.
      await s.delete(podKey('a'));
      expect(await codeOf(() => s.update(podKey('a'), (c) => ({ ...c, spec: { x: 3 } }), rv(b), b))).toBe('NotFound');
      expect(await s.get(podKey('a'))).toBeUndefined();
    });

    test('concurrent updates from the same known object: exactly one succeeds', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => Promise.resolve().then(() => s.update(podKey('a'), (c) => ({ ...c, spec: { writer: i } }), rv(a), a))),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as StorageError).code).toBe('Conflict');
      expect((await s.get(podKey('a')))!.spec).toEqual((ok[0] as PromiseFulfilledResult<KubeObject>).value.spec);
    });

    test('concurrent updates at the same expected revision: exactly one succeeds', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => Promise.resolve().then(() => s.update(podKey('a'), (c) => ({ ...c, spec: { writer: i } }), rv(a)))),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as StorageError).code).toBe('Conflict');
      expect((await s.get(podKey('a')))!.spec).toEqual((ok[0] as PromiseFulfilledResult<KubeObject>).value.spec);
    });

    test('concurrent read-modify-writes without an expected revision lose no update', async () => {
      await s.create(podKey('n'), pod('n', 'default', { spec: { n: 0 } }));
      await Promise.all(Array.from({ length: 10 }, () => Promise.resolve().then(() => s.update(podKey('n'), (c) => ({ ...c, spec: { n: c.spec.n + 1 } })))));
      expect((await s.get(podKey('n')))!.spec.n).toBe(10);
    });

    test('update and delete of a missing key are NotFound', async () => {
      expect(await codeOf(() => s.update(podKey('a'), (c) => c))).toBe('NotFound');
      expect(await codeOf(() => s.delete(podKey('a')))).toBe('NotFound');
    });

    test('an exception thrown by mutate propagates unchanged and writes nothing', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const boom = new Error('boom');
      let caught: unknown;
      try {
        await s.update(podKey('a'), () => {
          throw boom;
        });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBe(boom);
      expect(await s.get(podKey('a'))).toEqual(a);
      expect(rv(await s.create(podKey('b'), pod('b')))).toBe(rv(a) + 1);
    });

    test('mutate returning null deletes; the result carries the deletion revision', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const last = await s.update(podKey('a'), () => null);
      expect(rv(last)).toBe(rv(a) + 1);
      expect(await s.get(podKey('a'))).toBeUndefined();
    });

    test('an update that changes nothing writes nothing and keeps the revision', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      const out = await s.update(podKey('a'), (c) => c);
      expect(rv(out)).toBe(rv(a));
      expect(rv(await s.create(podKey('b'), pod('b')))).toBe(rv(a) + 1);
    });

    test('delete returns the last state stamped with the deletion revision; Conflict on a stale revision; re-create takes a new one', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      await s.create(podKey('b'), pod('b'));
      expect(await codeOf(() => s.delete(podKey('a'), rv(a) + 100))).toBe('Conflict');
      const last = await s.delete(podKey('a'), rv(a));
      expect(last.metadata.name).toBe('a');
      expect(rv(last)).toBe(rv(a) + 2);
      expect(await s.get(podKey('a'))).toBeUndefined();
      expect(await codeOf(() => s.delete(podKey('a')))).toBe('NotFound');
      expect(rv(await s.create(podKey('a'), pod('a')))).toBe(rv(a) + 3);
    });

    test('data survives a reopen (a restarted API server); revisions keep increasing', async () => {
      const a = await s.create(podKey('a'), pod('a'));
      s = await opened.reopen();
      expect(await s.get(podKey('a'))).toEqual(a);
      expect(rv(await s.create(podKey('b'), pod('b')))).toBeGreaterThan(rv(a));
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      // Inserted out of order on purpose.
      for (const [ns, n] of [['b', 'z'], ['a', 'y'], ['b', 'a'], ['a', 'b'], ['c', 'm'], ['a', 'a']]) {
        await s.create(podKey(n, ns), pod(n, ns, { spec: { odd: n === 'y' || n === 'm' } }));
      }
      await s.create({ resource: 'configmaps', namespace: 'a', name: 'cm' }, pod('cm', 'a'));
    });

    test('orders by namespace then name, scoped to the resource, at a revision covering every write', async () => {
      const last = await s.create(podKey('zz', 'c'), pod('zz', 'c'));
      const r = await s.list('pods');
      expect(names(r.items)).toEqual(['a/a', 'a/b', 'a/y', 'b/a', 'b/z', 'c/m', 'c/zz']);
      expect(r.revision).toBeGreaterThanOrEqual(rv(last));
      expect(r.continue).toBeUndefined();
      expect(names((await s.list('pods', { namespace: 'b' })).items)).toEqual(['b/a', 'b/z']);
      expect((await s.list('pods', { namespace: 'none' })).items).toEqual([]);
      expect((await s.list('nothing')).items).toEqual([]);
      const raw = await s.listRaw!('pods', { namespace: 'a' });
      expect(raw.items.map((x) => JSON.parse(rawTextString(x)))).toEqual((await s.list('pods', { namespace: 'a' })).items);
    });

    test('pages with limit and continue return every item once, in order, with remainingItemCount', async () => {
      const p1 = await s.list('pods', { limit: 4 });
      expect(names(p1.items)).toEqual(['a/a', 'a/b', 'a/y', 'b/a']);
      expect(p1.continue).toBeDefined();
      expect(p1.remainingItemCount).toBe(2);
      const p2 = await s.list('pods', { limit: 4, continue: p1.continue });
      expect(names(p2.items)).toEqual(['b/z', 'c/m']);
      expect(p2.continue).toBeUndefined();
      // Every page reports the first page's revision.
      expect(p2.revision).toBe(p1.revision);
    });

    test('a filter applies before the limit; a malformed continue token is Expired', async () => {
      const p1 = await s.list('pods', { limit: 1, filter: (o) => o.spec.odd === true });
      expect(names(p1.items)).toEqual(['a/y']);
      const p2 = await s.list('pods', { limit: 1, filter: (o) => o.spec.odd === true, continue: p1.continue });
      expect(names(p2.items)).toEqual(['c/m']);
      expect(await codeOf(() => s.list('pods', { limit: 1, continue: 'garbage' }))).toBe('Expired');
    });
  });

  describe('watch', () => {
    /** a created, b created, a modified, kube-system/c created, b deleted, a deployment; returns the revision before them. */
    const history = async () => {
      const base = (await s.create({ resource: 'configmaps', namespace: 'x', name: 'base' }, pod('base'))).metadata.resourceVersion;
      await s.create(podKey('a'), pod('a'));
      await s.create(podKey('b'), pod('b'));
      await s.update(podKey('a'), (c) => ({ ...c, spec: { v: 2 } }));
      await s.create(podKey('c', 'kube-system'), pod('c', 'kube-system'));
      await s.delete(podKey('b'));
      await s.create({ resource: 'apps/deployments', namespace: 'default', name: 'd' }, pod('d'));
      return Number(base);
    };

    test('replays history after fromRevision, then live events, seamlessly; DELETED carries the deletion revision and the previous state', async () => {
      const b = await history();
      const seen: Seen[] = [];
      const w = s.watch('pods', { fromRevision: b }, record(seen));
      await s.create(podKey('e'), pod('e'));
      await until('six events', () => seen.length >= 6, 5000);
      expect(seen).toEqual([
        { type: 'ADDED', revision: b + 1, name: 'a', ns: 'default', rv: b + 1, prevRv: undefined },
        { type: 'ADDED', revision: b + 2, name: 'b', ns: 'default', rv: b + 2, prevRv: undefined },
        { type: 'MODIFIED', revision: b + 3, name: 'a', ns: 'default', rv: b + 3, prevRv: b + 1 },
        { type: 'ADDED', revision: b + 4, name: 'c', ns: 'kube-system', rv: b + 4, prevRv: undefined },
        { type: 'DELETED', revision: b + 5, name: 'b', ns: 'default', rv: b + 5, prevRv: b + 2 },
        { type: 'ADDED', revision: b + 7, name: 'e', ns: 'default', rv: b + 7, prevRv: undefined },
      ]);
      w.close();
      w.close();
      const f = await s.create(podKey('f'), pod('f'));
      const canary: Seen[] = [];
      s.watch('pods', { fromRevision: rv(f) - 1 }, record(canary));
      await until('canary.length === 1', () => canary.length === 1);
      expect(seen).toHaveLength(6);
    });

    test('from N delivers only revisions > N; from the current revision only live events', async () => {
      const b = await history();
      const fromThree: Seen[] = [];
      const fromNow: Seen[] = [];
      await until('watch progress', () => s.currentRevision() >= b + 6, 5000);
      s.watch('pods', { fromRevision: b + 3 }, record(fromThree));
      s.watch('pods', { fromRevision: s.currentRevision() }, record(fromNow));
      await s.update(podKey('c', 'kube-system'), (c) => ({ ...c, spec: { v: 9 } }));
      await until('fromNow.length >= 1 && fromThree.length >= 3', () => fromNow.length >= 1 && fromThree.length >= 3);
      expect(fromThree.map((e) => e.revision - b)).toEqual([4, 5, 7]);
      expect(fromNow.map((e) => e.revision - b)).toEqual([7]);
    });

    test('a namespace watch sees only its namespace, history and live', async () => {
      const b = await history();
      const sys: Seen[] = [];
      const def: Seen[] = [];
      s.watch('pods', { namespace: 'kube-system', fromRevision: b }, record(sys));
      s.watch('pods', { namespace: 'default', fromRevision: b }, record(def));
      await s.create(podKey('x', 'kube-system'), pod('x', 'kube-system'));
      await s.create(podKey('y'), pod('y'));
      await until('sys.length >= 2 && def.length >= 5', () => sys.length >= 2 && def.length >= 5);
      expect(sys.map((e) => `${e.revision - b}:${e.name}`)).toEqual(['4:c', '7:x']);
      expect(def.map((e) => `${e.revision - b}:${e.name}`)).toEqual(['1:a', '2:b', '3:a', '5:b', '8:y']);
    });

    test('events carry the stored JSON text; the parsed object is shared between watchers', async () => {
      const a: StorageEvent[] = [];
      const b: StorageEvent[] = [];
      const from = s.currentRevision();
      s.watch('pods', { fromRevision: from }, (e) => a.push(e));
      s.watch('pods', { fromRevision: from }, (e) => b.push(e));
      const created = await s.create(podKey('a'), pod('a'));
      await until('a.length === 1 && b.length === 1', () => a.length === 1 && b.length === 1);
      expect(JSON.parse(a[0].raw!)).toEqual(created);
      expect(a[0].object).toBe(b[0].object);
    });

    test('a revision the storage no longer holds is Expired', async () => {
      for (let i = 0; i < 6; i++) await s.create(podKey(`p${i}`), pod(`p${i}`));
      const old = await opened.expiredRevision();
      expect(() => s.watch('pods', { fromRevision: old }, () => {})).toThrow(StorageError);
      try {
        s.watch('pods', { fromRevision: old }, () => {});
      } catch (e) {
        expect((e as StorageError).code).toBe('Expired');
      }
    });

    test('a throwing watcher is closed and reported; the others keep receiving', async () => {
      await opened.close();
      const errors: string[] = [];
      opened = await backend.open({ onWatchError: (err, resource) => errors.push(`${resource}: ${(err as Error).message}`) });
      s = opened.storage;
      const ok: number[] = [];
      const from = s.currentRevision();
      s.watch('pods', { fromRevision: from }, () => {
        throw new Error('bad');
      });
      s.watch('pods', { fromRevision: from }, (e) => ok.push(e.revision));
      await s.create(podKey('a'), pod('a'));
      await s.create(podKey('b'), pod('b'));
      await until('ok.length === 2', () => ok.length === 2);
      expect(errors).toEqual(['pods: bad']);
      expect(s.stats!().watchers).toBe(1);
    });

    test('20 watchers opened while 4 writers interleave 400 writes: each sees every event after its start once, in order', async () => {
      const N = 400;
      const nsList = ['a', 'b', 'c', 'd'];
      type W = { ns?: string; from: number; got: number[] };
      const watchers: W[] = [];
      const openWatcher = (i: number) => {
        const w: W = { ns: i % 3 === 0 ? nsList[i % 4] : undefined, from: s.currentRevision(), got: [] };
        s.watch('pods', { fromRevision: w.from, namespace: w.ns }, (e) => w.got.push(e.revision));
        watchers.push(w);
      };
      const nsOfRevision = new Map<number, string>();
      const created: string[] = [];
      let written = 0;
      const writeOne = async () => {
        const i = written++;
        const ns = nsList[i % 4];
        if (i % 5 === 4 && created.length > 0) {
          const name = created[(i * 7) % created.length];
          const updated = await s.update(podKey(name, name.split('.')[0]), (c) => ({ ...c, spec: { i } }));
          nsOfRevision.set(rv(updated), name.split('.')[0]);
        } else {
          const name = `${ns}.${i}`;
          const o = await s.create(podKey(name, ns), pod(name, ns));
          created.push(name);
          nsOfRevision.set(rv(o), ns);
        }
        if (i % 20 === 0 && watchers.length < 20) openWatcher(watchers.length);
      };
      openWatcher(0);
      const first = s.currentRevision();
      await Promise.all([0, 1, 2, 3].map(async () => {
        for (let j = 0; j < N / 4; j++) await writeOne();
      }));
      const total = Math.max(...nsOfRevision.keys());
      expect(nsOfRevision.size).toBe(N);
      expect(total - first).toBe(N);
      await until('watch progress', () => s.currentRevision() >= total, 10_000);
      for (const w of watchers) {
        const expected: number[] = [];
        for (let r = w.from + 1; r <= total; r++) if (w.ns === undefined || nsOfRevision.get(r) === w.ns) expected.push(r);
        expect(w.got).toEqual(expected);
      }
    });
  });
});
