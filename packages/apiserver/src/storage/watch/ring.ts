// A bounded in-memory window of the most recent events of every resource, so that a watch
// resuming from a recent revision (the common case: a client reconnecting) is served from
// memory instead of SQLite. Bounded by event count and by bytes; revisions in it are contiguous,
// so lookup by revision is an index computation.
import type { LazyEvent } from './event.ts';

export class EventRing {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #slots: (LazyEvent | undefined)[];
  /** Index of the oldest event in #slots. */
  #head = 0;
  #count = 0;
  #bytes = 0;

  constructor(capacity: number, maxBytes: number) {
    if (capacity < 1) throw new RangeError('ring capacity must be >= 1');
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#slots = new Array(capacity);
  }

  get length(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Revision of the oldest event held, or 0 when empty. */
  get oldestRevision(): number {
    return this.#count === 0 ? 0 : this.#slots[this.#head]!.revision;
  }

  get newestRevision(): number {
    return this.#count === 0 ? 0 : this.#slots[(this.#head + this.#count - 1) % this.#capacity]!.revision;
  }

  push(ev: LazyEvent): void {
    // Contiguity is what makes get() O(1); a gap (should not happen) restarts the window.
    if (this.#count > 0 && ev.revision !== this.newestRevision + 1) this.clear();
    if (this.#count === this.#capacity) this.#dropOldest();
    this.#slots[(this.#head + this.#count) % this.#capacity] = ev;
    this.#count++;
    this.#bytes += ev.size;
    // Keep at least the newest event even if it alone exceeds the byte budget.
    while (this.#bytes > this.#maxBytes && this.#count > 1) this.#dropOldest();
  }

  /** The event with this revision, if the window holds it. */
  get(revision: number): LazyEvent | undefined {
    if (this.#count === 0) return undefined;
    const offset = revision - this.#slots[this.#head]!.revision;
    if (offset < 0 || offset >= this.#count) return undefined;
    return this.#slots[(this.#head + offset) % this.#capacity];
  }

  clear(): void {
    this.#slots.fill(undefined);
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
  }

  #dropOldest(): void {
    const ev = this.#slots[this.#head]!;
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#capacity;
    this.#count--;
    this.#bytes -= ev.size;
  }
}
