// Kubernetes' crash-loop back-off: the first exit is restarted at once; after that, wait base,
// 2*base, 4*base ... up to max before each restart (CrashLoopBackOff). A container that ran longer
// than twice the maximum was healthy for a while: it is restarted at once too.

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
  if (restartCount === 0) return finishedAt;
  if (startedAt !== undefined && finishedAt - startedAt > 2 * policy.maxMs) return finishedAt;
  return finishedAt + crashLoopDelay(policy, restartCount);
}

/** The wait before restarting a container that has already been restarted `restartCount` times. */
export function crashLoopDelay(policy: BackoffPolicy, restartCount: number): number {
  return restartCount === 0 ? 0 : backoffDelay(policy, restartCount - 1);
}
