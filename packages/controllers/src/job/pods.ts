// How the Job controller sees its pods: active, terminating, finished (and how), when each
// finished, and the exponential back-off before a failed pod is replaced
// (pkg/controller/job/backoff_utils.go: 10 s, doubling per consecutive failure, at most 10 min).
import { parseTime, type KubeObject } from '@skiff/api';

/** The finalizer that holds a Job's pod until the controller has counted it. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export const DEFAULT_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 10 * 60_000;

export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/**
 * What became of a pod: 'active' (counts towards parallelism), 'terminating' (being deleted,
 * still running), 'succeeded' or 'failed'. A deleted pod that the node agent has finished
 * deleting (grace period 0 while our finalizer holds it) failed unless it succeeded.
 */
export function podOutcome(pod: KubeObject): 'active' | 'terminating' | 'succeeded' | 'failed' {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return 'succeeded';
  if (phase === 'Failed') return 'failed';
  if (pod.metadata.deletionTimestamp) return pod.metadata.deletionGracePeriodSeconds === 0 ? 'failed' : 'terminating';
  return 'active';
}

/** getFinishedTime: the last container's finish, else Ready=False's transition, else the deletion, else creation. */
export function podFinishedTime(pod: KubeObject): number {
  const statuses: { state?: { terminated?: { finishedAt?: string } } }[] = pod.status?.containerStatuses ?? [];
  let latest = Number.NaN;
  let all = statuses.length > 0;
  for (const cs of statuses) {
    const t = parseTime(cs.state?.terminated?.finishedAt);
    if (Number.isNaN(t)) {
      all = false;
      break;
    }
    if (Number.isNaN(latest) || t > latest) latest = t;
  }
  if (all && !Number.isNaN(latest)) return latest;
  const ready = ((pod.status?.conditions ?? []) as { type: string; status: string; lastTransitionTime?: string }[]).find((c) => c.type === 'Ready');
  const readyAt = ready?.status === 'False' ? parseTime(ready.lastTransitionTime) : Number.NaN;
  if (!Number.isNaN(readyAt)) return readyAt;
  const deleted = parseTime(pod.metadata.deletionTimestamp);
  if (!Number.isNaN(deleted)) return deleted - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  const created = parseTime(pod.metadata.creationTimestamp);
  return Number.isNaN(created) ? 0 : created;
}

/**
 * Milliseconds to wait before creating a replacement pod: consecutive failures after the last
 * success set the delay (10 s, 20 s, 40 s, ... capped), counted from the last failure.
 */
export function computeBackoffRemaining(failed: readonly KubeObject[], succeeded: readonly KubeObject[], now: number, base = DEFAULT_BACKOFF_MS, max = MAX_BACKOFF_MS): number {
  let lastSuccess = Number.NEGATIVE_INFINITY;
  for (const p of succeeded) lastSuccess = Math.max(lastSuccess, podFinishedTime(p));
  let failures = 0;
  let lastFailure = Number.NEGATIVE_INFINITY;
  for (const p of failed) {
    const t = podFinishedTime(p);
    if (t <= lastSuccess) continue;
    failures++;
    lastFailure = Math.max(lastFailure, t);
  }
  if (failures === 0) return 0;
  let delay = base;
  for (let i = 1; i < failures; i++) {
    delay *= 2;
    if (delay >= max) {
      delay = max;
      break;
    }
  }
  const elapsed = now - lastFailure;
  return delay < elapsed ? 0 : delay - elapsed;
}

/** Container restarts of active pods, for restartPolicy OnFailure's back-off limit. */
export function activeRestarts(active: readonly KubeObject[]): number {
  let n = 0;
  for (const p of active) for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) n += cs.restartCount ?? 0;
  return n;
}
