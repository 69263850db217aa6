// A work queue with client-go semantics. It holds keys, not events: controllers re-read state
// for a key, so merging repeated adds loses nothing.
//
// - dirty:      keys waiting to be processed; adding a dirty key again is a no-op.
// - processing: keys a worker holds (between get() and done()). Such a key is never handed to a
//               second worker; an add() meanwhile marks it dirty and it is queued again at done().
import { DelayHeap } from './delay-heap.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions<T> {
  /** Used by addRateLimited/forget/numRequeues; default: per-key 5 ms .. 1000 s and 10 qps, burst 100. */
  rateLimiter?: RateLimiter<T>;
}

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((item: T | undefined) => void)[] = [];
  private readonly delayed = new DelayHeap<T>();
  private readonly rateLimiter: RateLimiter<T>;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private shuttingDownFlag = false;
  private drained?: () => void;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>();
  }

  /** Marks the key for processing. Ignored after shutdown. */
  add(item: T): void {
    if (this.shuttingDownFlag || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.queue.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take());
  }

  /**
   * The next key, once one is ready. After shutdown the keys still queued are handed out, then
   * undefined: the worker should exit. Call done(key) when finished with it.
   */
  get(): Promise<T | undefined> {
    if (this.length() > 0) return Promise.resolve(this.take());
    if (this.shuttingDownFlag) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The worker finished with the key; if it was added meanwhile it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.queue.push(item);
      const waiter = this.waiters.shift();
      if (waiter) waiter(this.take());
    }
    this.checkDrained();
  }

  /** Adds the key after `ms`; if it is already waiting, the earlier time wins. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDownFlag) return;
    if (ms <= 0) return this.add(item);
    this.delayed.push(item, Date.now() + ms);
    this.schedule();
  }

  /** Adds the key after its rate limiter's delay (per-key backoff that grows on every call). */
  addRateLimited(item: T): void {
    if (this.shuttingDownFlag) return;
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** The key succeeded: reset its backoff. (It does not remove the key from the queue.) */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** Keys ready to be handed out (not counting delayed or in-process keys). */
  len(): number {
    return this.length();
  }

  shuttingDown(): boolean {
    return this.shuttingDownFlag;
  }

  /** Stops accepting keys and drops delayed ones; idle workers get undefined. */
  shutDown(): void {
    this.shuttingDownFlag = true;
    this.delayed.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /**
   * Shuts down, then resolves once every queued key has been handed out and every handed-out key
   * is done. Workers must keep calling get() until it returns undefined.
   */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    return new Promise((resolve) => {
      this.drained = resolve;
      this.checkDrained();
    });
  }

  private length(): number {
    return this.queue.length - this.head;
  }

  private take(): T {
    const item = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(item);
    this.processing.add(item);
    return item;
  }

  private checkDrained(): void {
    if (this.drained && this.processing.size === 0 && this.length() === 0) {
      this.drained();
      this.drained = undefined;
    }
  }

  /** Keeps one timer, set for the earliest delayed key. */
  private schedule(): void {
    const at = this.delayed.peekTime();
    if (at === undefined || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      for (const item of this.delayed.popDue(Date.now())) this.add(item);
      this.schedule();
    }, Math.max(0, at - Date.now()));
    this.timer.unref();
  }
}
