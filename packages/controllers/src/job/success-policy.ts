// successPolicy (Kubernetes 1.32, Indexed Jobs only): the Job has succeeded as soon as one rule
// holds, even if other indexes have not: succeededIndexes alone wants every index it lists
// succeeded; succeededCount alone wants that many indexes succeeded; both want that many of the
// listed ones. The remaining pods are then stopped, and the Job completes with reason SuccessPolicy.
import type { KubeObject } from '@skiff/api';
import { parseIndexes } from './indexes.ts';

export const SUCCESS_POLICY_REASON = 'SuccessPolicy';

interface SuccessPolicyRule {
  succeededIndexes?: string;
  succeededCount?: number;
}

/** The SuccessCriteriaMet message of the first rule that holds, or undefined. */
export function matchSuccessPolicy(job: KubeObject, succeeded: ReadonlySet<number>): string | undefined {
  const rules: SuccessPolicyRule[] = job.spec?.successPolicy?.rules ?? [];
  const completions: number = job.spec?.completions ?? 0;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    let met: boolean;
    if (rule.succeededIndexes !== undefined) {
      const wanted = parseIndexes(rule.succeededIndexes, completions);
      let hit = 0;
      for (const x of wanted) if (succeeded.has(x)) hit++;
      met = rule.succeededCount !== undefined ? hit >= rule.succeededCount : hit === wanted.size;
    } else {
      met = rule.succeededCount !== undefined && succeeded.size >= rule.succeededCount;
    }
    if (met) return `Matched rules at index ${i}`;
  }
  return undefined;
}
