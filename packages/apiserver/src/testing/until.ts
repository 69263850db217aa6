// The one poll-until helper of skiff's tests: waits for a condition that has no event to await
// (another process's state, an HTTP answer), bounded in time, and says what it waited for and
// the last thing it saw when it gives up. A sleep is not synchronisation: use this, or await an
// event, never a fixed delay.

export interface UntilOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Default 25 ms. */
  intervalMs?: number;
}

type Found<T> = Exclude<T, undefined | null | false>;

/**
 * Calls `fn` until it returns something other than undefined, null or false, and returns that.
 * A throw counts as "not yet" (the last error is reported on timeout).
 */
export async function until<T>(what: string, fn: () => T | Promise<T>, opts: UntilOptions | number = {}): Promise<Found<T>> {
  const { timeoutMs = 10_000, intervalMs = 25 } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as Found<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
