import type { StorageEvent } from '../types.ts';
import { StorageError } from '../types.ts';
import type { SqliteStorage } from '../sqlite/storage.ts';
import { openIn, pod, podKey, tempDir } from '../sqlite/test-helpers.ts';

type Seen = { type: string; revision: number; name: string; ns: string; rv: string | undefined; prevRv?: string };
const record = (into: Seen[]) => (e: StorageEvent) =>
  into.push({ type: e.type, revision: e.revision, name: e.key.name, ns: e.key.namespace, rv: e.object.metadata.resourceVersion, prevRv: e.prevObject?.metadata.resourceVersion });

describe('watch', () => {
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

  /** a created(1), b created(2), a modified(3), kube-system/c created(4), b deleted(5), a deployment(6) */
  const history = () => {
    s.create(podKey('a'), pod('a'));
    s.create(podKey('b'), pod('b'));
    s.update(podKey('a'), (c) => ({ ...c, spec: { v: 2 } }));
    s.create(podKey('c', 'kube-system'), pod('c', 'kube-system'));
    s.delete(podKey('b'));
    s.create({ resource: 'apps/deployments', namespace: 'default', name: 'd' }, pod('d'));
  };

  test('from 0 replays all history of the resource, then live events, seamlessly', () => {
    history();
    const seen: Seen[] = [];
    const w = s.watch('pods', { fromRevision: 0 }, record(seen));
    s.create(podKey('e'), pod('e'));
    expect(seen).toEqual([
      { type: 'ADDED', revision: 1, name: 'a', ns: 'default', rv: '1', prevRv: undefined },
      { type: 'ADDED', revision: 2, name: 'b', ns: 'default', rv: '2', prevRv: undefined },
      { type: 'MODIFIED', revision: 3, name: 'a', ns: 'default', rv: '3', prevRv: '1' },
      { type: 'ADDED', revision: 4, name: 'c', ns: 'kube-system', rv: '4', prevRv: undefined },
      // DELETED carries the last state stamped with the deletion revision, and the previous state.
      { type: 'DELETED', revision: 5, name: 'b', ns: 'default', rv: '5', prevRv: '2' },
      { type: 'ADDED', revision: 7, name: 'e', ns: 'default', rv: '7', prevRv: undefined },
    ]);
    w.close();
    w.close();
    s.create(podKey('f'), pod('f'));
    expect(seen).toHaveLength(6);
    expect(s.stats().watchers).toBe(0);
  });

  test('from N delivers only revisions > N; from the current revision only live events', () => {
    history();
    const fromThree: Seen[] = [];
    const fromNow: Seen[] = [];
    s.watch('pods', { fromRevision: 3 }, record(fromThree));
    s.watch('pods', { fromRevision: s.currentRevision() }, record(fromNow));
    s.update(podKey('c', 'kube-system'), (c) => ({ ...c, spec: { v: 9 } }));
    expect(fromThree.map((e) => e.revision)).toEqual([4, 5, 7]);
    expect(fromNow.map((e) => e.revision)).toEqual([7]);
  });

  test('namespace filtering, history and live', () => {
    history();
    const sys: Seen[] = [];
    const def: Seen[] = [];
    s.watch('pods', { namespace: 'kube-system', fromRevision: 0 }, record(sys));
    s.watch('pods', { namespace: 'default', fromRevision: 0 }, record(def));
    s.create(podKey('x', 'kube-system'), pod('x', 'kube-system'));
    s.create(podKey('y'), pod('y'));
    expect(sys.map((e) => `${e.revision}:${e.name}`)).toEqual(['4:c', '7:x']);
    expect(def.map((e) => `${e.revision}:${e.name}`)).toEqual(['1:a', '2:b', '3:a', '5:b', '8:y']);
  });

  test('events expose the stored JSON text; the parsed object is shared between watchers', () => {
    const a: StorageEvent[] = [];
    const b: StorageEvent[] = [];
    s.watch('pods', { fromRevision: 0 }, (e) => a.push(e));
    s.watch('pods', { fromRevision: 0 }, (e) => b.push(e));
    const created = s.create(podKey('a'), pod('a'));
    expect(JSON.parse(a[0].raw!)).toEqual(created);
    expect(a[0].object).toBe(b[0].object);
    expect(JSON.parse(JSON.stringify(a[0]))).toMatchObject({ type: 'ADDED', revision: 1, object: created });
  });

  test('history beyond the ring is read from the log, and survives a restart', () => {
    s.close();
    s = openIn(t.dir, { ringSize: 3 });
    for (let i = 0; i < 20; i++) s.create(podKey(`p${i}`, i % 2 ? 'odd' : 'even'), pod(`p${i}`));
    s.create({ resource: 'configmaps', namespace: 'odd', name: 'cm' }, pod('cm'));
    s.close();
    s = openIn(t.dir, { ringSize: 3 });
    const all: Seen[] = [];
    const odd: Seen[] = [];
    s.watch('pods', { fromRevision: 2 }, record(all));
    s.watch('pods', { fromRevision: 0, namespace: 'odd' }, record(odd));
    s.create(podKey('live', 'odd'), pod('live'));
    expect(all.map((e) => e.revision)).toEqual([...Array.from({ length: 18 }, (_, i) => i + 3), 22]);
    expect(odd.map((e) => e.revision)).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
  });

  test('fromRevision older than the compacted revision is Expired; at it is fine', async () => {
    s.close();
    s = openIn(t.dir, { retainRevisions: 5, compactBatchSize: 2 });
    for (let i = 0; i < 12; i++) s.create(podKey(`p${i}`), pod(`p${i}`));
    expect(await s.compact()).toBe(7);
    expect(s.compactedRevision()).toBe(7);
    let err: unknown;
    try {
      s.watch('pods', { fromRevision: 6 }, () => {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('Expired');
    const seen: Seen[] = [];
    s.watch('pods', { fromRevision: 7 }, record(seen));
    expect(seen.map((e) => e.revision)).toEqual([8, 9, 10, 11, 12]);
    // And after a restart the compacted revision is remembered.
    s.close();
    s = openIn(t.dir);
    expect(s.compactedRevision()).toBe(7);
    expect(() => s.watch('pods', { fromRevision: 0 }, () => {})).toThrow(StorageError);
  });

  test('a watcher that writes from its callback: every watcher still sees revision order', () => {
    const first: number[] = [];
    const second: number[] = [];
    s.watch('pods', { fromRevision: 0 }, (e) => {
      first.push(e.revision);
      // A controller reacting synchronously: creates a follower for each original pod.
      if (!e.key.name.startsWith('f-') && e.type === 'ADDED') s.create(podKey(`f-${e.key.name}`), pod('f'));
    });
    s.watch('pods', { fromRevision: 0 }, (e) => second.push(e.revision));
    s.create(podKey('a'), pod('a'));
    s.create(podKey('b'), pod('b'));
    expect(first).toEqual([1, 2, 3, 4]);
    expect(second).toEqual([1, 2, 3, 4]);
  });

  test('a watch opened from a callback during delivery gets no duplicates and no gaps', () => {
    const late: number[] = [];
    s.watch('pods', { fromRevision: 0 }, (e) => {
      if (e.revision === 2) s.watch('pods', { fromRevision: 0 }, (x) => late.push(x.revision));
      if (e.revision === 1) s.create(podKey('b'), pod('b'));
    });
    s.watch('pods', { fromRevision: 0 }, (e) => {
      if (e.revision === 1) s.create(podKey('c'), pod('c'));
    });
    s.create(podKey('a'), pod('a'));
    s.create(podKey('d'), pod('d'));
    expect(late).toEqual([1, 2, 3, 4]);
  });

  test('a throwing watcher is closed and reported; others keep receiving', () => {
    s.close();
    const errors: string[] = [];
    s = openIn(t.dir, { onWatchError: (err, resource) => errors.push(`${resource}: ${(err as Error).message}`) });
    const ok: number[] = [];
    s.watch('pods', { fromRevision: 0 }, () => {
      throw new Error('bad');
    });
    s.watch('pods', { fromRevision: 0 }, (e) => ok.push(e.revision));
    s.create(podKey('a'), pod('a'));
    s.create(podKey('b'), pod('b'));
    expect(ok).toEqual([1, 2]);
    expect(errors).toEqual(['pods: bad']);
    expect(s.stats().watchers).toBe(1);
  });

  test('history is delivered inside watch(); a callback that throws during replay stops its watcher', () => {
    s.close();
    const errors: unknown[] = [];
    s = openIn(t.dir, { onWatchError: (e) => errors.push(e) });
    history();
    const seen: number[] = [];
    s.watch('pods', { fromRevision: 0 }, (e) => {
      seen.push(e.revision);
      if (e.revision === 2) throw new Error('stop here');
    });
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
    s.create(podKey('z'), pod('z'));
    expect(seen).toEqual([1, 2]);
    expect(s.stats().watchers).toBe(0);
  });

  test('a watcher closed from its own callback during live delivery gets nothing more', () => {
    const seen: number[] = [];
    const w = s.watch('pods', { fromRevision: 0 }, (e) => {
      seen.push(e.revision);
      if (e.revision === 2) w.close();
    });
    for (const n of ['a', 'b', 'c']) s.create(podKey(n), pod(n));
    expect(seen).toEqual([1, 2]);
  });

  test('50 watchers, 1000 writes interleaved across event-loop turns: each sees every event once, in order', async () => {
    s.close();
    s = openIn(t.dir, { ringSize: 256, onWatchError: (e) => { throw e; } });
    const N = 1000;
    const namespaces = ['a', 'b', 'c', 'd'];
    type W = { ns?: string; from: number; got: number[] };
    const watchers: W[] = [];
    const openWatcher = (i: number) => {
      const w: W = { ns: i % 3 === 0 ? namespaces[i % 4] : undefined, from: s.currentRevision(), got: [] };
      s.watch('pods', { fromRevision: w.from, namespace: w.ns }, (e) => w.got.push(e.revision));
      watchers.push(w);
    };
    const nsOfRevision = new Map<number, string>();
    const names: string[] = [];
    let written = 0;
    const writeOne = () => {
      const i = written++;
      const ns = namespaces[i % 4];
      const r = i % 5;
      if (r === 4 && names.length > 0) {
        const name = names[(i * 7) % names.length];
        const updated = s.update(podKey(name, name.split('.')[0]), (c) => ({ ...c, spec: { i } }));
        nsOfRevision.set(Number(updated.metadata.resourceVersion), name.split('.')[0]);
      } else {
        const name = `${ns}.${i}`;
        const created = s.create(podKey(name, ns), pod(name, ns));
        names.push(name);
        nsOfRevision.set(Number(created.metadata.resourceVersion), ns);
      }
      if (i % 20 === 0 && watchers.length < 50) openWatcher(watchers.length);
    };
    // Writers in four "concurrent" streams, interleaved by setImmediate / promise turns.
    const stream = async (k: number) => {
      for (let j = 0; j < N / 4; j++) {
        writeOne();
        if ((j + k) % 3 === 0) await new Promise((r) => setImmediate(r));
        else await Promise.resolve();
      }
    };
    openWatcher(0);
    await Promise.all([0, 1, 2, 3].map(stream));
    // Some watchers opened late resume from an old revision (beyond the 256-event ring → log).
    for (let i = watchers.length; i < 50; i++) {
      const w: W = { ns: i % 2 ? 'b' : undefined, from: i * 10, got: [] };
      s.watch('pods', { fromRevision: w.from, namespace: w.ns }, (e) => w.got.push(e.revision));
      watchers.push(w);
    }
    for (let j = 0; j < 20; j++) writeOne();
    const total = s.currentRevision();
    expect(total).toBe(N + 20);
    expect(watchers).toHaveLength(50);
    for (const w of watchers) {
      const expected: number[] = [];
      for (let r = w.from + 1; r <= total; r++) if (w.ns === undefined || nsOfRevision.get(r) === w.ns) expected.push(r);
      expect(w.got).toEqual(expected);
    }
  });
});
