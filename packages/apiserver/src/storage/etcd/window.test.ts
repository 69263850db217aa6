// The etcd backend's window of recent events: bounded by count and bytes, replayed after a
// revision, and letting go of what it evicts.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LazyEvent } from '../watch/event.ts';
import { EventWindow } from './window.ts';

const event = (revision: number, bytes = 10) => new LazyEvent('ADDED', revision, { resource: 'pods', namespace: 'default', name: `p${revision}` }, 'x'.repeat(bytes), undefined);
const revisions = (w: EventWindow, after: number) => [...w.after(after)].map((e) => e.revision);

test('holds the last `capacity` events; the start moves to the last evicted revision', () => {
  const w = new EventWindow(3, 1 << 20, 10);
  expect(w.startRevision).toBe(10);
  for (let r = 11; r <= 15; r++) w.push(event(r));
  expect(w.length).toBe(3);
  expect(w.startRevision).toBe(12);
  expect(revisions(w, 12)).toEqual([13, 14, 15]);
  expect(revisions(w, 14)).toEqual([15]);
  expect(revisions(w, 15)).toEqual([]);
});

test('the byte budget evicts too, but never the newest event', () => {
  // Each event counts its text plus 64 bytes.
  const w = new EventWindow(100, 3 * 74, 0);
  for (let r = 1; r <= 5; r++) w.push(event(r));
  expect(revisions(w, 0)).toEqual([3, 4, 5]);
  w.push(event(6, 10_000));
  expect(revisions(w, 0)).toEqual([6]);
  expect(w.startRevision).toBe(5);
});

test('replays correctly across the array compactions of a long run', () => {
  const w = new EventWindow(1000, 1 << 30, 0);
  for (let r = 1; r <= 10_000; r++) {
    w.push(event(r));
    if (r % 997 === 0) expect(revisions(w, r - 5)).toEqual([r - 4, r - 3, r - 2, r - 1, r]);
  }
  expect(w.length).toBe(1000);
  expect(revisions(w, 9_000)).toHaveLength(1000);
  expect(revisions(w, 9_998)).toEqual([9_999, 10_000]);
  w.reset(20_000);
  expect(w.length).toBe(0);
  expect(w.startRevision).toBe(20_000);
});

test('an evicted event is let go at once, not when the array is next compacted', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const w = new EventWindow(2, 1 << 20, 0);
  const first = new WeakRef(pushed(w, 1));
  pushed(w, 2);
  pushed(w, 3); // evicts revision 1; far fewer evictions than a compaction needs
  await new Promise((r) => setImmediate(r)); // a WeakRef's target is kept until the job that made it ends
  gc();
  expect(first.deref()).toBeUndefined();
  expect(revisions(w, 0)).toEqual([2, 3]);
});

function pushed(w: EventWindow, revision: number): LazyEvent {
  const e = event(revision);
  w.push(e);
  return e;
}
