// What Kubernetes' default admission plugins add to every new Pod, kept apart from defaulting
// because they are plugins a cluster may turn off: Priority (priority 0 and the preemption
// policy when no PriorityClass is named) and DefaultTolerationSeconds (five minutes of
// tolerance for not-ready and unreachable nodes before eviction).

import type { Pod, Toleration } from '../model/types.generated.ts';
import type { Incoming, KubeObject } from '../object.ts';
import { deepCopy } from './index.ts';

export const DEFAULT_TOLERATION_SECONDS = 300;
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

function toleratesNoExecute(tolerations: Incoming<Toleration>[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
}

/** Returns a copy of a new Pod with the Priority and DefaultTolerationSeconds admission applied. */
export function applyPodAdmissionDefaults<T extends KubeObject>(pod: T): T {
  const out: Incoming<Pod> = deepCopy(pod);
  const spec = (out.spec ??= {});
  if (!spec.priorityClassName) {
    if (spec.priority === undefined) spec.priority = 0;
    if (spec.preemptionPolicy === undefined) spec.preemptionPolicy = 'PreemptLowerPriority';
  }
  const tolerations = spec.tolerations ?? [];
  for (const key of [TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE]) {
    if (!toleratesNoExecute(tolerations, key)) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  spec.tolerations = tolerations;
  return out as unknown as T;
}
