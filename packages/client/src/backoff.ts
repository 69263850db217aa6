// Exponential backoff with jitter for reconnecting: initial, doubling, capped; reset on success.

export interface BackoffOptions {
  /** First delay; default 200 ms. */
  initialMs?: number;
  /** Cap; default 30 s. */
  maxMs?: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]; default 0.2. */
  jitter?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 200;
    this.maxMs = opts.maxMs ?? 30_000;
    this.jitter = opts.jitter ?? 0.2;
  }

  /** The delay before the next attempt; each call doubles the base. */
  next(): number {
    const base = Math.min(this.initialMs * 2 ** this.attempt, this.maxMs);
    if (base < this.maxMs) this.attempt++;
    const factor = 1 + this.jitter * (2 * Math.random() - 1);
    return Math.round(base * factor);
  }

  reset(): void {
    this.attempt = 0;
  }
}
