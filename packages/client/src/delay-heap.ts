// Items waiting for a time, earliest first. Re-adding an item keeps the earlier of its two times
// (as client-go's delaying queue does); superseded entries are skipped lazily when popped.

interface Entry<T> {
  at: number;
  item: T;
}

export class DelayHeap<T> {
  private readonly heap: Entry<T>[] = [];
  private readonly due = new Map<T, number>();

  get size(): number {
    return this.due.size;
  }

  push(item: T, at: number): void {
    const current = this.due.get(item);
    if (current !== undefined && current <= at) return;
    this.due.set(item, at);
    this.heap.push({ at, item });
    this.up(this.heap.length - 1);
  }

  /** The earliest due time, or undefined when empty. */
  peekTime(): number | undefined {
    this.dropStale();
    return this.heap[0]?.at;
  }

  /** Removes and returns every item due at or before `now`. */
  popDue(now: number): T[] {
    const out: T[] = [];
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) return out;
      this.pop();
      this.due.delete(top.item);
      out.push(top.item);
    }
  }

  clear(): void {
    this.heap.length = 0;
    this.due.clear();
  }

  private dropStale(): void {
    while (this.heap.length && this.due.get(this.heap[0].item) !== this.heap[0].at) this.pop();
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length) {
      this.heap[0] = last;
      this.down(0);
    }
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) return;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].at < h[m].at) m = l;
      if (r < h.length && h[r].at < h[m].at) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}
