// Which pods go first when a ReplicaSet scales down: Kubernetes' ActivePodsWithRanks order,
// with the logarithmic comparison of ready/creation times (LogarithmicScaleDown, on by default).
import type { KubeObject } from '@skiff/api';
import { creationTime, isPodReady, podConditionOf } from '../lib/pod.ts';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

function readyTime(pod: KubeObject): number {
  const t = podConditionOf(pod, 'Ready')?.lastTransitionTime;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

function maxRestarts(pod: KubeObject): number {
  const statuses = (pod.status?.containerStatuses ?? []) as { restartCount?: number }[];
  return statuses.reduce((m, s) => Math.max(m, s.restartCount ?? 0), 0);
}

/** floor(log2(age in ns)), -1 for a time at or after `now`: pods of similar age compare equal. */
function logBucket(time: number, now: number): number {
  const ns = (now - time) * 1e6;
  return ns <= 0 ? -1 : Math.floor(Math.log2(ns));
}

/**
 * Time comparison used for ready time and creation time: a zero time (unknown) first, then the
 * more recent. Negative means `a` goes first.
 */
function compareRecentFirst(a: number, b: number, now: number, uidA: string, uidB: string): number {
  if (a === b) return 0;
  if (a === 0 || b === 0) return a === 0 ? -1 : 1;
  const diff = logBucket(a, now) - logBucket(b, now);
  if (diff === 0) return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
  return diff;
}

/**
 * Sorts `pods` so the first ones are the ones to delete. `related` are all the active pods of the
 * owner (and its siblings): a pod on a node crowded with related pods goes before a lonely one.
 */
export function rankPodsForDeletion(pods: readonly KubeObject[], related: readonly KubeObject[], now: number): KubeObject[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: KubeObject) => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...pods].sort((a, b) => comparePodsForDeletion(a, b, rank(a), rank(b), now));
}

export function comparePodsForDeletion(a: KubeObject, b: KubeObject, rankA: number, rankB: number, now: number): number {
  const uidA = a.metadata.uid ?? a.metadata.name ?? '';
  const uidB = b.metadata.uid ?? b.metadata.name ?? '';
  // 1. Unassigned before assigned.
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  // 2. Pending before Unknown before Running.
  const phaseA = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  // 3. Not ready before ready.
  const readyA = isPodReady(a);
  const readyB = isPodReady(b);
  if (readyA !== readyB) return readyA ? 1 : -1;
  // 4. Lower pod-deletion-cost first.
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  // 5. Doubled up: more related pods on the same node first.
  if (rankA !== rankB) return rankB - rankA;
  // 6. Both ready: ready more recently first.
  if (readyA && readyB) {
    const c = compareRecentFirst(readyTime(a), readyTime(b), now, uidA, uidB);
    if (c !== 0) return c;
  }
  // 7. More container restarts first.
  const restartsA = maxRestarts(a);
  const restartsB = maxRestarts(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  // 8. Newer before older.
  const c = compareRecentFirst(creationTime(a), creationTime(b), now, uidA, uidB);
  if (c !== 0) return c;
  return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
}
