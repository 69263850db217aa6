// NodeAffinity: `spec.nodeSelector` and the required node affinity terms must match the node's
// labels (filter); the weights of the preferred terms a node matches add up to its score,
// scaled so the best scored node gets 100 (score + normalize).

import { normalizeToMax, SUCCESS, unschedulable, type Plugin } from '../framework.ts';
import { matchesAnyTerm, matchesTerm } from '../model/node-selector.ts';

export const AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector";
const REJECTED = Object.freeze(unschedulable(AFFINITY_MISMATCH));

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  preFilter(_ctx, pod) {
    const spec = pod.pod.spec;
    const constrained = Object.keys(spec.nodeSelector ?? {}).length > 0 || spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return constrained ? undefined : 'Skip';
  },
  filter(ctx, pod, node) {
    const spec = pod.pod.spec;
    const selector = ctx.once('NodeAffinity/selector', () => Object.entries(spec.nodeSelector ?? {}));
    for (const [k, v] of selector) {
      if (node.labels[k] !== v) return REJECTED;
    }
    const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required && !matchesAnyTerm(required.nodeSelectorTerms ?? [], node.labels, node.name)) {
      return REJECTED;
    }
    return SUCCESS;
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
