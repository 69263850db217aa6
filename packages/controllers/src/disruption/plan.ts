// The disruption controller's arithmetic (pkg/controller/disruption/disruption.go trySync), pure:
// from a budget, the pods it selects and the scale of their controllers, the status it should
// have. The controller feeds it from informer caches and writes what it returns.
import {
  DISRUPTED_POD_TIMEOUT_MS,
  DISRUPTION_ALLOWED_CONDITION,
  formatTime,
  getControllerOf,
  isPercent,
  isPodReady,
  parseTime,
  resolveIntOrPercent,
  setBudgetCondition,
  SYNC_FAILED_REASON,
  withDisruptionAllowedCondition,
  type BudgetCondition,
  type KubeObject,
  type OwnerReference,
} from '@skiff/api';

export interface BudgetStatus {
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  conditions?: BudgetCondition[];
}

/** A pod's controller and its desired replicas, or undefined when no known kind controls it. */
export type ScaleLookup = (controllerRef: OwnerReference, namespace: string) => { uid: string; scale: number } | undefined;

export interface BudgetInputs {
  pdb: KubeObject;
  /** The pods of the budget's namespace its selector matches. */
  pods: readonly KubeObject[];
  scaleOf: ScaleLookup;
  now: number;
}

export type BudgetPlan =
  | {
      ok: true;
      status: BudgetStatus;
      /** Pods the budget selects that no controller owns (counted, but percentages cannot see them). */
      unmanagedPods: string[];
      /** When the oldest still-pending disruptedPods entry expires: sync again then. */
      recheckAtMs?: number;
    }
  | { ok: false; error: string };

/**
 * The expected pod count and the desired healthy count: minAvailable as an integer needs no
 * controller (expected = the pods found); a percentage, or maxUnavailable, is taken of the sum of
 * the pods' controllers' scale (getExpectedScale).
 */
export function computeExpectedCounts(pdb: KubeObject, pods: readonly KubeObject[], scaleOf: ScaleLookup): { ok: true; expectedCount: number; desiredHealthy: number; unmanagedPods: string[] } | { ok: false; error: string } {
  const spec = pdb.spec ?? {};
  const maxUnavailable = spec.maxUnavailable ?? undefined;
  const minAvailable = spec.minAvailable ?? undefined;
  if (maxUnavailable === undefined && typeof minAvailable === 'number') return { ok: true, expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
  if (maxUnavailable === undefined && minAvailable === undefined) return { ok: true, expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = getControllerOf(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name!);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = scaleOf(ref, pod.metadata.namespace ?? '');
    if (!found) return { ok: false, error: `found no controllers for pod ${JSON.stringify(pod.metadata.name)}` };
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const s of scales.values()) expectedCount += s;
  try {
    if (maxUnavailable !== undefined) {
      const unavailable = resolveIntOrPercent(maxUnavailable, expectedCount, true);
      return { ok: true, expectedCount, desiredHealthy: Math.max(0, expectedCount - unavailable), unmanagedPods };
    }
    if (!isPercent(minAvailable)) return { ok: false, error: `invalid value for IntOrString: ${JSON.stringify(minAvailable)}` };
    return { ok: true, expectedCount, desiredHealthy: resolveIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/**
 * buildDisruptedPodMap: the evictions still expected to land. An entry is dropped once its pod is
 * terminating or gone, or when DISRUPTED_POD_TIMEOUT_MS passed without the pod going.
 */
export function computeDisruptedPods(pdb: KubeObject, pods: readonly KubeObject[], now: number): { disruptedPods: Record<string, string>; recheckAtMs?: number; expired: string[] } {
  const recorded = (pdb.status?.disruptedPods ?? {}) as Record<string, string>;
  const disruptedPods: Record<string, string> = {};
  const expired: string[] = [];
  let recheckAtMs: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[pod.metadata.name!];
    if (at === undefined) continue;
    const due = parseTime(at) + DISRUPTED_POD_TIMEOUT_MS;
    if (due < now) {
      expired.push(pod.metadata.name!);
      continue;
    }
    if (recheckAtMs === undefined || due < recheckAtMs) recheckAtMs = due;
    disruptedPods[pod.metadata.name!] = at;
  }
  return { disruptedPods, recheckAtMs, expired };
}

/** countHealthyPods: Ready pods that are neither terminating nor about to be evicted. */
export function countHealthyPods(pods: readonly KubeObject[], disruptedPods: Record<string, string>): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (disruptedPods[pod.metadata.name!] !== undefined) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** The status a budget should have now (trySync + updatePdbStatus). */
export function planBudgetStatus({ pdb, pods, scaleOf, now }: BudgetInputs): BudgetPlan {
  const counts = computeExpectedCounts(pdb, pods, scaleOf);
  if (!counts.ok) return counts;
  const { disruptedPods, recheckAtMs } = computeDisruptedPods(pdb, pods, now);
  const currentHealthy = countHealthyPods(pods, disruptedPods);
  // Nothing may be disrupted while no pod is expected: a budget whose first pods just appeared is
  // safe until this controller has counted them.
  let disruptionsAllowed = currentHealthy - counts.desiredHealthy;
  if (counts.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const status: BudgetStatus = {
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy: counts.desiredHealthy,
    expectedPods: counts.expectedCount,
    observedGeneration: pdb.metadata.generation,
  };
  if (Object.keys(disruptedPods).length > 0) status.disruptedPods = disruptedPods;
  status.conditions = pdb.status?.conditions;
  return { ok: true, status: withDisruptionAllowedCondition(status, formatTime(now)), unmanagedPods: counts.unmanagedPods, recheckAtMs };
}

/** failSafe: a budget whose pods cannot be counted allows no disruption, and says why. */
export function planFailSafeStatus(pdb: KubeObject, error: string, now: number): BudgetStatus {
  const old = (pdb.status ?? {}) as BudgetStatus;
  return {
    ...old,
    disruptionsAllowed: 0,
    conditions: setBudgetCondition(old.conditions, { type: DISRUPTION_ALLOWED_CONDITION, status: 'False', reason: SYNC_FAILED_REASON, message: error, observedGeneration: old.observedGeneration }, formatTime(now)),
  };
}

/** Whether the stored status already says what `next` says (no write needed). */
export function budgetStatusEqual(stored: BudgetStatus | undefined, next: BudgetStatus): boolean {
  return JSON.stringify(normalise(stored ?? ({} as BudgetStatus))) === JSON.stringify(normalise(next));
}

function normalise(s: BudgetStatus): unknown {
  const d = s.disruptedPods ?? {};
  return [
    s.disruptionsAllowed ?? 0,
    s.currentHealthy ?? 0,
    s.desiredHealthy ?? 0,
    s.expectedPods ?? 0,
    s.observedGeneration ?? 0,
    Object.keys(d).sort().map((k) => [k, d[k]]),
    (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration ?? 0, c.lastTransitionTime]),
  ];
}
