// PodDisruptionBudget facts shared by the API server's eviction, the disruption controller and the
// scheduler's preemption (k8s.io/component-helpers/apps/poddisruptionbudget and the constants of
// k8s.io/api/policy/v1).
import type { KubeObject } from '../object.ts';
import { labelSelectorAsSelector, matches } from '../selectors/labels.ts';

export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export const SUFFICIENT_PODS_REASON = 'SufficientPods';
export const INSUFFICIENT_PODS_REASON = 'InsufficientPods';
export const SYNC_FAILED_REASON = 'SyncFailed';
/** The StatusCause type of a refused eviction (policyv1.DisruptionBudgetCause). */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/**
 * How long an eviction's entry in status.disruptedPods stands for a pod about to go (the
 * disruption controller's DeletionTimeout): a pod still there after it counts as healthy again.
 */
export const DISRUPTED_POD_TIMEOUT_MS = 2 * 60 * 1000;

/** metav1.Condition, as budgets carry them. */
export interface BudgetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/**
 * Whether a budget covers a pod: same namespace and its selector matches. In policy/v1 a null
 * selector selects no pod and an empty one (`{}`) every pod of the namespace; a selector that
 * cannot be parsed selects nothing (the eviction handler's rule).
 */
export function budgetCoversPod(pdb: KubeObject, pod: KubeObject): boolean {
  if ((pdb.metadata.namespace ?? '') !== (pod.metadata.namespace ?? '')) return false;
  try {
    return matches(labelSelectorAsSelector(pdb.spec?.selector), pod.metadata.labels);
  } catch {
    return false;
  }
}

/**
 * apimeta.SetStatusCondition: replaces the condition of the same type, moving lastTransitionTime
 * only when the status changes. Returns a new list.
 */
export function setBudgetCondition(conditions: readonly BudgetCondition[] | undefined, next: Omit<BudgetCondition, 'lastTransitionTime'>, now: string): BudgetCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  if (i < 0) return [...list, { ...next, lastTransitionTime: now }];
  const old = list[i];
  list[i] = { ...old, ...next, lastTransitionTime: old.status === next.status ? old.lastTransitionTime : now };
  return list;
}

/** pdbhelper.UpdateDisruptionAllowedCondition: True/SufficientPods while disruptions are allowed. */
export function withDisruptionAllowedCondition<S extends { disruptionsAllowed?: number; observedGeneration?: number; conditions?: BudgetCondition[] }>(status: S, now: string): S {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  const conditions = setBudgetCondition(
    status.conditions,
    { type: DISRUPTION_ALLOWED_CONDITION, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS_REASON : INSUFFICIENT_PODS_REASON, message: '', observedGeneration: status.observedGeneration },
    now,
  );
  return { ...status, conditions };
}
