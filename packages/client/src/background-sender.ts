// Work sent in the background with a few requests in flight and a bounded backlog. Like
// client-go's event broadcaster, it drops work rather than letting it queue without bound or
// slow down the caller: what goes through it (events, informative status) may be lost.
// Optionally at most `qps` requests a second start (bursts of `burst`), as client-go's client
// rate limiter paces a component's requests (kube-scheduler: 50 qps, burst 100).
import { TokenBucketRateLimiter } from './rate-limiter.ts';

export interface BackgroundSenderOptions {
  maxInFlight: number;
  maxPending: number;
  /** Requests started per second at most; default unlimited. */
  qps?: number;
  /** Requests that may start at once after a quiet spell; default 100 (with `qps`). */
  burst?: number;
  onDrop?: () => void;
  onError?: (err: unknown) => void;
}

export class BackgroundSender {
  private readonly pending: (() => Promise<unknown>)[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxPending: number;
  private readonly onDrop: () => void;
  private readonly onError: (err: unknown) => void;
  private idleWaiters: (() => void)[] = [];
  private readonly limiter: TokenBucketRateLimiter<void> | undefined;
  /** Set while the next task waits for its token. */
  private waiting: NodeJS.Timeout | undefined;

  constructor(opts: BackgroundSenderOptions) {
    this.maxInFlight = opts.maxInFlight;
    this.maxPending = opts.maxPending;
    if (opts.qps !== undefined) this.limiter = new TokenBucketRateLimiter({ qps: opts.qps, burst: opts.burst ?? 100 });
    this.onDrop = opts.onDrop ?? (() => {});
    this.onError = opts.onError ?? (() => {});
  }

  /** Whether the backlog is full: the next send() would be dropped. */
  get full(): boolean {
    return this.pending.length >= this.maxPending;
  }

  /** Queues `task`; false when the backlog was full and it was dropped (onDrop is told). */
  send(task: () => Promise<unknown>): boolean {
    if (this.full) {
      this.onDrop();
      return false;
    }
    this.pending.push(task);
    this.pump();
    return true;
  }

  /** Resolves once nothing is pending or in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.waiting && this.inFlight < this.maxInFlight && this.pending.length > 0) {
      // The token is reserved now; past the burst the head task starts once it exists.
      const wait = this.limiter?.when() ?? 0;
      if (wait > 0) {
        this.waiting = setTimeout(() => {
          this.waiting = undefined;
          this.start();
          this.pump();
        }, wait);
        this.waiting.unref();
        return;
      }
      this.start();
    }
  }

  private start(): void {
    const task = this.pending.shift()!;
    this.inFlight++;
    task()
      .catch(this.onError)
      .finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.pending.length === 0 && !this.waiting) for (const w of this.idleWaiters.splice(0)) w();
      });
  }
}
