// Kubernetes' crash-loop back-off: after a container exits, wait base, 2*base, 4*base ... up to
// max before restarting it; a container that ran longer than twice the maximum resets the count.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 300_000 };

/** Delay before the restart that follows the `restartCount`-th restart (0 = first exit). */
export function backoffDelay(policy: BackoffPolicy, restartCount: number): number {
  const exp = Math.min(restartCount, 30);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exp);
}

/**
 * When a container that exited at `finishedAt` after running since `startedAt` may be restarted.
 * A run longer than 2*max means it was healthy for a while: restart at once.
 */
export function restartNotBefore(policy: BackoffPolicy, restartCount: number, startedAt: number | undefined, finishedAt: number): number {
  if (startedAt !== undefined && finishedAt - startedAt > 2 * policy.maxMs) return finishedAt;
  return finishedAt + backoffDelay(policy, restartCount);
}
