// Failed authentication, rate-limited per source address (issue 12 §4; Kubernetes has no such
// limit, k3s and most front proxies do): a token bucket per IP of `burst` failures, refilled at
// `perSecond`. While an address's bucket is empty, a request from it that carries credentials is
// answered 429 with Retry-After before they are checked (the check reads storage and verifies
// signatures: that is what a guesser would make the server spend). Requests that authenticate
// cost nothing; only failures take from the bucket, so a client that knows its token is never
// slowed, and a certificate (verified by TLS before any of this) is never refused here.
export interface AuthFailureLimits {
  /** Failures allowed at once per address; default 20. 0 turns the limit off. */
  burst?: number;
  /** Refill rate, failures per second; default 1. */
  perSecond?: number;
  /** Addresses tracked at most (the fullest are forgotten first); default 10 000. */
  maxAddresses?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class AuthFailureLimiter {
  readonly #burst: number;
  readonly #rate: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  /** Requests refused (429). */
  refused = 0;

  constructor(o: AuthFailureLimits = {}) {
    this.#burst = o.burst ?? 20;
    this.#rate = o.perSecond ?? 1;
    this.#max = o.maxAddresses ?? 10_000;
    this.#now = o.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.#burst > 0;
  }

  #refill(b: Bucket): Bucket {
    const now = this.#now();
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    return b;
  }

  /** Seconds until `ip` may try again (0: now). */
  retryAfter(ip: string): number {
    if (!this.enabled) return 0;
    const b = this.#buckets.get(ip);
    if (!b || this.#refill(b).tokens >= 1) return 0;
    this.refused++;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#rate));
  }

  /** Records one failed attempt from `ip`. */
  failed(ip: string): void {
    if (!this.enabled) return;
    let b = this.#buckets.get(ip);
    if (b) this.#refill(b);
    else {
      if (this.#buckets.size >= this.#max) this.#forgetOne();
      b = { tokens: this.#burst, at: this.#now() };
      this.#buckets.set(ip, b);
    }
    b.tokens = Math.max(0, b.tokens - 1);
  }

  #forgetOne(): void {
    // A refilled bucket is the same as none; otherwise drop the oldest entry.
    for (const [ip, b] of this.#buckets) {
      if (this.#refill(b).tokens >= this.#burst) {
        this.#buckets.delete(ip);
        return;
      }
    }
    this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
