// ttlSecondsAfterFinished (pkg/controller/ttlafterfinished): a finished Job is deleted once its
// TTL has passed, counted from the moment it finished (the Complete or Failed condition).
import { parseTime, type KubeObject } from '@skiff/api';

/** When the Job finished (ms), or undefined while it runs. */
export function jobFinishTime(job: KubeObject): number | undefined {
  for (const c of (job.status?.conditions ?? []) as { type: string; status: string; lastTransitionTime?: string }[]) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      const t = parseTime(c.lastTransitionTime);
      return Number.isNaN(t) ? undefined : t;
    }
  }
  return undefined;
}

/** 'delete' now, 'wait' ms, or 'keep' (no TTL, not finished, or already being deleted). */
export function computeTtlAction(job: KubeObject, now: number): { action: 'delete' } | { action: 'wait'; ms: number } | { action: 'keep' } {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp) return { action: 'keep' };
  const finished = jobFinishTime(job);
  if (finished === undefined) return { action: 'keep' };
  const expireAt = finished + ttl * 1000;
  return now >= expireAt ? { action: 'delete' } : { action: 'wait', ms: expireAt - now };
}
