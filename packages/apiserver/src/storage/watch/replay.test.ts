import type { StorageEvent } from '../types.ts';
import { LazyEvent } from './event.ts';
import { HubWatcher, WatchHub } from './hub.ts';
import { replayHistory } from './replay.ts';
import type { HistorySource } from './replay.ts';
import { EventRing } from './ring.ts';

const ev = (rev: number, resource: string, namespace = 'ns') => new LazyEvent('ADDED', rev, { resource, namespace, name: `n${rev}` }, '{}', undefined);

/** 100 revisions: every 10th is a configmap, the rest pods; the ring holds the last 20. */
function source() {
  const log = Array.from({ length: 100 }, (_, i) => ev(i + 1, (i + 1) % 10 === 0 ? 'configmaps' : 'pods', (i + 1) % 2 ? 'odd' : 'even'));
  const ring = new EventRing(20, 1e9);
  for (const e of log.slice(80)) ring.push(e);
  const reads: number[] = [];
  const src: HistorySource = {
    ring,
    currentRevision: () => 100,
    lastRevisionOf: (r) => Math.max(0, ...log.filter((e) => e.key.resource === r).map((e) => e.revision)),
    readLog: (resource, namespace, after, limit) => {
      reads.push(after);
      return log.filter((e) => e.revision > after && e.key.resource === resource && (namespace === undefined || e.key.namespace === namespace)).slice(0, limit);
    },
  };
  return { src, reads };
}

const watcher = (resource: string, from: number, got: number[], namespace?: string) =>
  new HubWatcher(new WatchHub(() => {}), resource, namespace, from, (e: StorageEvent) => got.push(e.revision));

describe('replayHistory', () => {
  test('reads the log up to the ring, then continues from the ring', () => {
    const { src, reads } = source();
    const got: number[] = [];
    replayHistory(watcher('configmaps', 5, got), src);
    expect(got).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(reads).toEqual([5]);
  });

  test('served from the ring alone when it covers the start', () => {
    const { src, reads } = source();
    const got: number[] = [];
    replayHistory(watcher('pods', 95, got, 'odd'), src);
    expect(got).toEqual([97, 99]);
    expect(reads).toEqual([]);
  });

  test('a resource unchanged since fromRevision costs no read at all', () => {
    const { src, reads } = source();
    const got: number[] = [];
    const w = watcher('secrets', 3, got);
    replayHistory(w, src);
    expect(got).toEqual([]);
    expect(reads).toEqual([]);
    expect(w.position).toBe(100);
  });
});
