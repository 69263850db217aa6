// The recent events of every resource as the central etcd watch delivered them: what a new
// watcher replays before it joins the hub (kube-apiserver's watch cache window). etcd revisions
// are not contiguous per key prefix (other keys, compaction bookkeeping), so events are found by
// binary search instead of by offset as in the SQLite ring.
import type { LazyEvent } from '../watch/event.ts';

/** What an evicted slot holds until the array is compacted (never read: reads start at the head). */
const EVICTED = null as unknown as LazyEvent;

export class EventWindow {
  readonly #capacity: number;
  readonly #maxBytes: number;
  #events: LazyEvent[] = [];
  #head = 0;
  #bytes = 0;
  /** Every event with revision > start is held (or was never there). */
  #start: number;

  constructor(capacity: number, maxBytes: number, start: number) {
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#start = start;
  }

  /** A watch from a revision below this cannot be served from the window. */
  get startRevision(): number {
    return this.#start;
  }

  get length(): number {
    return this.#events.length - this.#head;
  }

  push(ev: LazyEvent): void {
    this.#events.push(ev);
    this.#bytes += ev.size;
    while (this.length > 1 && (this.length > this.#capacity || this.#bytes > this.#maxBytes)) {
      const old = this.#events[this.#head];
      // The slot lets go of the event now, not when the array is next compacted: the byte
      // budget then bounds what the window holds, rather than up to twice as much.
      this.#events[this.#head++] = EVICTED;
      this.#bytes -= old.size;
      this.#start = old.revision;
    }
    // Compact the backing array now and then instead of shifting on every drop.
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Events with revision > after, oldest first. */
  *after(after: number): Generator<LazyEvent> {
    let lo = this.#head;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#events[mid].revision <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#events.length; i++) yield this.#events[i];
  }

  /** Forgets everything: the window starts again after `start`. */
  reset(start: number): void {
    this.#events = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#start = start;
  }
}
