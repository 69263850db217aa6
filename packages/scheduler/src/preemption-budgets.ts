// PodDisruptionBudgets in preemption (kube-scheduler's filterPodsWithPDBViolation): which of a
// node's possible victims would break a budget if evicted. Each budget's disruptionsAllowed is
// spent by the victims it covers in the order given (most important first); a victim that takes
// it below zero is a violating one. A pod the API server already counted (in the budget's
// status.disruptedPods) spends nothing. Budget coverage is @skiff/api's budgetCoversPod, the rule
// the eviction subresource uses (in policy/v1 an empty selector covers the whole namespace).
import { budgetCoversPod, type KubeObject } from '@skiff/api';
import type { PodInfo } from './model/pod-info.ts';

export function splitByBudgetViolation(victims: readonly PodInfo[], budgets: readonly KubeObject[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  if (budgets.length === 0) return { violating, nonViolating: [...victims] };
  const allowed = budgets.map((b) => Number(b.status?.disruptionsAllowed ?? 0));
  for (const v of victims) {
    const pod = v.pod as unknown as KubeObject;
    let violates = false;
    budgets.forEach((b, i) => {
      if (!budgetCoversPod(b, pod)) return;
      if ((b.status?.disruptedPods as Record<string, string> | undefined)?.[pod.metadata.name!] !== undefined) return;
      allowed[i]--;
      if (allowed[i] < 0) violates = true;
    });
    (violates ? violating : nonViolating).push(v);
  }
  return { violating, nonViolating };
}
