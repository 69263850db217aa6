// Workers that pull keys from a queue and reconcile them: a throw retries the key with backoff,
// a TerminalError does not, success forgets the key's failures.
import type { WorkQueue } from './work-queue.ts';

/** A failure that retrying cannot fix (bad input, a spec that can never be satisfied). */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** What a handler may return: ask to look at the key again later (timed work, polling). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type ReconcileHandler<T> = (key: T) => Promise<ReconcileResult | void> | ReconcileResult | void;

export interface RunWorkersOptions<T> {
  /** Told about every failure; default logs to stderr. */
  onError?: (key: T, err: unknown, retrying: boolean) => void;
}

/**
 * Runs `n` workers until the queue shuts down (and hands out its last key). Resolves when all
 * workers have exited. One key is never processed by two workers at once (the queue ensures it).
 */
export async function runWorkers<T>(queue: WorkQueue<T>, n: number, handler: ReconcileHandler<T>, opts: RunWorkersOptions<T> = {}): Promise<void> {
  const onError = opts.onError ?? ((key, err, retrying) => console.error(`reconcile ${String(key)} failed${retrying ? ' (will retry)' : ''}:`, err));
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await handler(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        const retrying = !(err instanceof TerminalError);
        if (retrying) queue.addRateLimited(key);
        else queue.forget(key);
        onError(key, err, retrying);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
