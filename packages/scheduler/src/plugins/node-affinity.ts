// NodeAffinity: `spec.nodeSelector` and the required node affinity terms must match the node's
// labels (filter); the weights of the preferred terms a node matches add up to its score,
// scaled so the best scored node gets 100 (score + normalize).

import { normalizeToMax, SUCCESS, unschedulable, type Plugin } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import { matchesAnyTerm, matchesTerm } from '../model/node-selector.ts';
import type { PodInfo } from '../model/pod-info.ts';

export const AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector";
const REJECTED = Object.freeze(unschedulable(AFFINITY_MISMATCH));

/** The pod's nodeSelector and required node affinity hold on the node (also PodTopologySpread's Honor policy). */
export function matchesNodeSelectorAndAffinity(pod: PodInfo, node: NodeInfo): boolean {
  const spec = pod.pod.spec;
  for (const k in spec.nodeSelector) if (node.labels[k] !== spec.nodeSelector[k]) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || matchesAnyTerm(required.nodeSelectorTerms ?? [], node.labels, node.name);
}

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  preFilter(_ctx, pod) {
    const spec = pod.pod.spec;
    const constrained = Object.keys(spec.nodeSelector ?? {}).length > 0 || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return constrained ? undefined : 'Skip';
  },
  filter(_ctx, pod, node) {
    return matchesNodeSelectorAndAffinity(pod, node) ? SUCCESS : REJECTED;
  },
  preScore(_ctx, pod) {
    const preferred = pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    return preferred && preferred.length > 0 ? undefined : 'Skip';
  },
  score(_ctx, pod, node) {
    const preferred = pod.pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    let sum = 0;
    for (const term of preferred ?? []) {
      if (term.weight > 0 && matchesTerm(term.preference, node.labels, node.name)) sum += term.weight;
    }
    return sum;
  },
  normalize(_ctx, _pod, scores) {
    normalizeToMax(scores, false);
  },
};
