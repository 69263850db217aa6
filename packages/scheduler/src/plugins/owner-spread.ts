// OwnerSpread: spreads the pods of one owner (a ReplicaSet, a Deployment's current ReplicaSet)
// across nodes. The raw score is how many of the owner's pods a node already runs; normalized in
// reverse, a node with none scores 100 and the most loaded scored node 0. Skipped for bare pods.

import { normalizeToMax, type Plugin } from '../framework.ts';

export const ownerSpread: Plugin = {
  name: 'OwnerSpread',
  // A bare pod has no siblings to spread from.
  preScore: (_ctx, pod) => (pod.ownerKey === undefined ? 'Skip' : undefined),
  score(_ctx, pod, node) {
    return pod.ownerKey === undefined ? 0 : (node.ownerCounts.get(pod.ownerKey) ?? 0);
  },
  normalize(_ctx, _pod, scores) {
    normalizeToMax(scores, true);
  },
};
