// Pod predicates the controllers share: active, ready, available (minReadySeconds).
import type { KubeObject } from '@skiff/api';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  reason?: string;
  message?: string;
}

export function podConditionOf(pod: KubeObject, type: string): PodCondition | undefined {
  return (pod.status?.conditions as PodCondition[] | undefined)?.find((c) => c.type === type);
}

/** Not terminating and not finished: it counts towards a ReplicaSet's replicas. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: KubeObject): boolean {
  return podConditionOf(pod, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` at `now` (ms since epoch). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const ready = podConditionOf(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/**
 * Milliseconds until a ready pod becomes available, or undefined if it is not ready or already
 * available: what a controller waits before looking again.
 */
export function msUntilAvailable(pod: KubeObject, minReadySeconds: number, now: number): number | undefined {
  const ready = podConditionOf(pod, 'Ready');
  if (ready?.status !== 'True' || minReadySeconds <= 0 || !ready.lastTransitionTime) return undefined;
  const at = Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000;
  return at > now ? at - now : undefined;
}

export function creationTime(obj: KubeObject): number {
  const t = obj.metadata.creationTimestamp ? Date.parse(obj.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? 0 : t;
}
