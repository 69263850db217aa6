// The back-off before a failed daemon pod is deleted and replaced (pkg/controller/daemon:
// failedPodsBackoff, client-go's flowcontrol.Backoff with 1 s initial and 15 min maximum, keyed
// by DaemonSet and node). A node that fails every pod it is given (a kubelet rejecting it, say)
// would otherwise see a create/fail/delete loop as fast as the controller can sync.

export const FAILED_POD_BACKOFF_INITIAL_MS = 1_000;
export const FAILED_POD_BACKOFF_MAX_MS = 15 * 60_000;

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(initialMs = FAILED_POD_BACKOFF_INITIAL_MS, maxMs = FAILED_POD_BACKOFF_MAX_MS) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  /** Milliseconds left of the back-off for `key` (IsInBackOffSinceUpdate), 0 when none. */
  remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.lastUpdate + e.delayMs - now;
    return left > 0 ? left : 0;
  }

  /** A failed pod is being deleted now: the next one waits twice as long (reset after 2 x max of quiet). */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) this.entries.set(key, { delayMs: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), lastUpdate: now });
  }

  /** Forgets entries quiet for longer than 2 x max. */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
