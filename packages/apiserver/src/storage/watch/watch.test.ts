// SQLite-only watch behaviour: history beyond the ring read from the log, compaction, and
// synchronous re-entrancy (callbacks that write or open watches during delivery); the contract
// both backends share is ../storage.test.ts.
import type { StorageEvent } from '../types.ts';
import { StorageError } from '../types.ts';
import type { SqliteStorage } from '../sqlite/storage.ts';
import { openIn, pod, podKey, tempDir } from '../sqlite/test-helpers.ts';

type Seen = { type: string; revision: number; name: string; ns: string; rv: string | undefined; prevRv?: string };
const record = (into: Seen[]) => (e: StorageEvent) =>
  into.push({ type: e.type, revision: e.revision, name: e.key.name, ns: e.key.namespace, rv: e.object.metadata.resourceVersion, prevRv: e.prevObject?.metadata.resourceVersion });

describe('SQLite watch', () => {
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
