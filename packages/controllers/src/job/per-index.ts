// backoffLimitPerIndex and maxFailedIndexes (Kubernetes 1.32, Indexed Jobs only): every index
// has its own failure count, kept on its pods in the job-index-failure-count annotation (the
// failures of the index before this pod). A failed pod fails its index when that count has
// reached backoffLimitPerIndex, or when the podFailurePolicy says FailIndex; a failed index gets
// no more pods, and is listed in status.failedIndexes. Each index backs off on its own: the
// doubling delay counts that index's failures, from its last failed pod.
import type { KubeObject } from '@skiff/api';
import type { FailureVerdict } from './failure-policy.ts';
import { podCompletionIndex } from './indexes.ts';
import { DEFAULT_BACKOFF_MS, MAX_BACKOFF_MS, podFinishedTime } from './pods.ts';

export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';

export const FAILED_INDEXES = { reason: 'FailedIndexes', message: 'Job has failed indexes' };
export const MAX_FAILED_INDEXES_EXCEEDED = { reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };

export function hasBackoffLimitPerIndex(job: KubeObject): boolean {
  return job.spec?.completionMode === 'Indexed' && typeof job.spec?.backoffLimitPerIndex === 'number';
}

/** The failures of the pod's index before this pod (0 when the annotation is missing or malformed). */
export function indexFailureCount(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[INDEX_FAILURE_COUNT_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

/** Whether this failed (and counted) pod fails its index. */
export function failsIndex(job: KubeObject, pod: KubeObject, verdict: FailureVerdict | undefined): boolean {
  if (verdict?.action === 'FailIndex') return true;
  return indexFailureCount(pod) >= (job.spec?.backoffLimitPerIndex ?? 0);
}

/** Per index, its failed pod with the highest failure count: the one the next pod of the index follows. */
export function lastFailedByIndex(failedPods: readonly KubeObject[], completions: number): Map<number, KubeObject> {
  const out = new Map<number, KubeObject>();
  for (const pod of failedPods) {
    const i = podCompletionIndex(pod, completions);
    if (i === undefined) continue;
    const prev = out.get(i);
    if (!prev || indexFailureCount(pod) > indexFailureCount(prev) || (indexFailureCount(pod) === indexFailureCount(prev) && podFinishedTime(pod) > podFinishedTime(prev))) out.set(i, pod);
  }
  return out;
}

/** The failure count the next pod of an index carries: its last failed pod's, plus that failure. */
export function nextIndexFailureCount(lastFailed: KubeObject | undefined): number {
  return lastFailed ? indexFailureCount(lastFailed) + 1 : 0;
}

/** Milliseconds before an index whose last pod failed may get a new one: 10 s doubling per failure of the index, at most 10 min. */
export function indexBackoffRemaining(lastFailed: KubeObject, now: number, base = DEFAULT_BACKOFF_MS, max = MAX_BACKOFF_MS): number {
  const failures = indexFailureCount(lastFailed) + 1;
  const delay = Math.min(max, base * 2 ** Math.min(failures - 1, 30));
  const elapsed = now - podFinishedTime(lastFailed);
  return delay < elapsed ? 0 : delay - elapsed;
}
