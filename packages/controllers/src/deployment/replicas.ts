// Rolling-update arithmetic: how far a Deployment may surge above and dip below spec.replicas,
// and how many replicas each ReplicaSet should have next. Pure, on plain numbers where possible.
import type { KubeObject } from '@skiff/api';
import { resolveIntOrPercent } from '../lib/int-or-percent.ts';
import { MAX_REPLICAS_ANNOTATION } from './revision.ts';
import { sortByCreation } from './hash.ts';

export function desiredReplicas(d: KubeObject): number {
  return d.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * maxSurge rounded up, maxUnavailable rounded down, both against spec.replicas; if both come to
 * 0, maxUnavailable is 1 so that the rollout can move at all. Defaults 25% / 25%.
 */
export function resolveFenceposts(d: KubeObject): { maxSurge: number; maxUnavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const replicas = desiredReplicas(d);
  const maxSurge = resolveIntOrPercent(ru.maxSurge ?? '25%', replicas, true);
  let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxSurgeOf(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

/** maxUnavailable, never above spec.replicas; 0 for Recreate or a deployment scaled to 0. */
export function maxUnavailableOf(d: KubeObject): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
}

export const specReplicas = (rs: KubeObject): number => rs.spec?.replicas ?? 0;

/**
 * Available replicas of a ReplicaSet, trusted no further than its spec: a ReplicaSet just scaled
 * down still reports the pods it is about to delete, and counting those as available would let
 * the next step scale down twice.
 */
export const availableReplicas = (rs: KubeObject): number => Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs));

export const sum = (rss: readonly KubeObject[], f: (rs: KubeObject) => number): number => rss.reduce((a, rs) => a + f(rs), 0);

/** The replicas the new ReplicaSet may have now (Kubernetes' NewRSNewReplicas). */
export function computeNewReplicaSetReplicas(d: KubeObject, all: readonly KubeObject[], newRS: KubeObject | undefined): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d)) return replicas;
  const current = newRS ? specReplicas(newRS) : 0;
  const total = sum(all, specReplicas);
  const maxTotal = replicas + maxSurgeOf(d);
  if (total >= maxTotal) return current;
  const up = Math.min(maxTotal - total, replicas - current);
  return current + Math.max(0, up);
}

/**
 * Old ReplicaSets scaled down for a rolling update: first replicas that are not available
 * (they cost nothing), then available ones down to spec.replicas - maxUnavailable, counting the
 * new ReplicaSet's unavailable pods against the budget. Returns the new sizes by name.
 */
export function computeOldReplicaSetScaleDown(d: KubeObject, oldRSs: readonly KubeObject[], newRS: KubeObject | undefined): Map<string, number> {
  const sizes = new Map<string, number>();
  const all = newRS ? [...oldRSs, newRS] : [...oldRSs];
  if (sum(oldRSs, specReplicas) === 0) return sizes;
  const minAvailable = desiredReplicas(d) - maxUnavailableOf(d);
  const newUnavailable = newRS ? specReplicas(newRS) - availableReplicas(newRS) : 0;
  const maxScaledDown = sum(all, specReplicas) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return sizes;

  const size = (rs: KubeObject) => sizes.get(rs.metadata.name!) ?? specReplicas(rs);
  // 1. Unhealthy replicas of old ReplicaSets, oldest ReplicaSet first.
  let cleaned = 0;
  for (const rs of sortByCreation(oldRSs)) {
    if (cleaned >= maxScaledDown) break;
    if (specReplicas(rs) === 0) continue;
    const unhealthy = specReplicas(rs) - availableReplicas(rs);
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    sizes.set(rs.metadata.name!, specReplicas(rs) - down);
    cleaned += down;
  }
  // 2. Available replicas, as long as minAvailable stays available.
  const available = sum(all, availableReplicas);
  if (available <= minAvailable) return sizes;
  const budget = available - minAvailable;
  let scaled = 0;
  for (const rs of sortByCreation(oldRSs)) {
    if (scaled >= budget) break;
    if (size(rs) === 0) continue;
    const down = Math.min(size(rs), budget - scaled);
    sizes.set(rs.metadata.name!, size(rs) - down);
    scaled += down;
  }
  return sizes;
}

/**
 * Proportional scaling: when spec.replicas changes in the middle of a rollout, spread the
 * difference over the active ReplicaSets in proportion to their size (Kubernetes' scale()).
 * Returns new sizes by name for the ReplicaSets that change.
 */
export function computeProportionalScale(d: KubeObject, active: readonly KubeObject[], statusReplicas: number): Map<string, number> {
  const sizes = new Map<string, number>();
  const replicas = desiredReplicas(d);
  const allowed = replicas > 0 ? replicas + maxSurgeOf(d) : 0;
  const toAdd = allowed - sum(active, specReplicas);
  if (toAdd === 0 || active.length === 0) return sizes;
  // Growing: bigger first, newer first on a tie. Shrinking: bigger first, older first.
  const byCreation = sortByCreation(active);
  const order = [...byCreation].sort((a, b) => {
    if (specReplicas(a) !== specReplicas(b)) return specReplicas(b) - specReplicas(a);
    const ia = byCreation.indexOf(a);
    const ib = byCreation.indexOf(b);
    return toAdd > 0 ? ib - ia : ia - ib;
  });
  let added = 0;
  for (const rs of order) {
    let proportion = 0;
    if (specReplicas(rs) !== 0 && toAdd !== added) {
      const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS_ANNOTATION]);
      const base = Number.isInteger(annotated) && annotated > 0 ? annotated : statusReplicas;
      const fraction = replicas === 0 ? -specReplicas(rs) : Math.round((specReplicas(rs) * allowed) / (base || 1)) - specReplicas(rs);
      const remaining = toAdd - added;
      proportion = toAdd > 0 ? Math.min(fraction, remaining) : Math.max(fraction, remaining);
    }
    sizes.set(rs.metadata.name!, specReplicas(rs) + proportion);
    added += proportion;
  }
  const first = order[0].metadata.name!;
  sizes.set(first, Math.max(0, sizes.get(first)! + (toAdd - added)));
  for (const rs of active) if (sizes.get(rs.metadata.name!) === specReplicas(rs)) sizes.delete(rs.metadata.name!);
  return sizes;
}
