// The kubelet's emptyDir sizeLimit eviction (pkg/kubelet/eviction, localStorageEviction), as pure
// functions: which of a pod's volumes are measured, and whether measured usage evicts the pod.
// The measuring is in disk-usage.ts, the loop that drives both in monitor.ts, and the eviction
// itself (stop the containers, phase Failed, reason Evicted) in the pod worker.
import { formatQuantity, toBytes, type KubeObject } from '@skiff/api';
import type { VolumeSpec } from '../volumes/types.ts';

/** Kubernetes' status reason for a pod the node evicted. */
export const EVICTED_REASON = 'Evicted';

/**
 * How long an evicted pod's containers get to stop: the kubelet's
 * immediateEvictionGracePeriodSeconds, used for every local-storage eviction.
 */
export const EVICTION_GRACE_SECONDS = 1;

/** An emptyDir whose usage is measured against its sizeLimit. */
export interface LimitedEmptyDir {
  volume: string;
  limitBytes: number;
  /** The limit as Kubernetes prints it (canonical quantity), for the message. */
  limit: string;
}

export interface Eviction {
  message: string;
}

/**
 * The pod's disk-backed emptyDirs with a positive sizeLimit. Memory-backed ones are left out: their
 * tmpfs is sized to the limit, so their usage can reach it but never pass it (a write beyond it
 * fails with ENOSPC), which is what the kubelet's check would conclude too.
 */
export function limitedEmptyDirs(pod: KubeObject): LimitedEmptyDir[] {
  const out: LimitedEmptyDir[] = [];
  for (const v of (pod.spec?.volumes ?? []) as VolumeSpec[]) {
    const e = v.emptyDir;
    if (!e || e.medium === 'Memory' || e.sizeLimit === undefined) continue;
    const limitBytes = toBytes(e.sizeLimit);
    if (limitBytes > 0) out.push({ volume: v.name, limitBytes, limit: formatQuantity(e.sizeLimit) });
  }
  return out;
}

/**
 * Whether measured usage (bytes by volume name; a volume not measured is absent) evicts the pod:
 * the first limited emptyDir, in the pod's order, whose usage is strictly above its limit.
 */
export function computeEmptyDirEviction(pod: KubeObject, usage: ReadonlyMap<string, number>): Eviction | undefined {
  for (const d of limitedEmptyDirs(pod)) {
    const used = usage.get(d.volume);
    if (used !== undefined && used > d.limitBytes) return { message: `Usage of EmptyDir volume "${d.volume}" exceeds the limit "${d.limit}". ` };
  }
  return undefined;
}

/** The eviction already written in the pod's status (an agent restart keeps the pod evicted). */
export function recordedEviction(pod: KubeObject): Eviction | undefined {
  const s = pod.status as { phase?: string; reason?: string; message?: string } | undefined;
  return s?.phase === 'Failed' && s.reason === EVICTED_REASON ? { message: s.message ?? '' } : undefined;
}

/** Whether the pod is still a candidate for eviction (the kubelet measures active pods only). */
export function isActive(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return !pod.metadata.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded';
}
