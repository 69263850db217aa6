// TaintToleration: a node's NoSchedule and NoExecute taints keep off every pod that does not
// tolerate them (filter); PreferNoSchedule taints only lower the score, by how many the pod
// does not tolerate, relative to the worst scored node (score + reversed normalize).

import { normalizeToMax, SUCCESS, unschedulable, type Plugin, type Status } from '../framework.ts';
import { toleratesTaint as toleratesTaintOf } from '@skiff/api';
import type { Taint, Toleration } from '../model/types.ts';

export function toleratesTaint(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  return toleratesTaintOf(t, taint);
}

export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

// One rejection per taint object (nodes' taints are shared, frozen objects from the informer).
const rejections = new WeakMap<Taint, Status>();
function rejectedBy(taint: Taint): Status {
  let status = rejections.get(taint);
  if (!status) {
    status = Object.freeze(unschedulable(untoleratedTaintReason(taint)));
    rejections.set(taint, status);
  }
  return status;
}

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  filter(_ctx, pod, node) {
    for (const taint of node.taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!pod.tolerations.some((t) => toleratesTaint(t, taint))) return rejectedBy(taint);
    }
    return SUCCESS;
  },
  score(_ctx, pod, node) {
    let count = 0;
    for (const taint of node.taints) {
      if (taint.effect === 'PreferNoSchedule' && !pod.tolerations.some((t) => toleratesTaint(t, taint))) count++;
    }
    return count;
  },
  normalize(_ctx, _pod, scores) {
    normalizeToMax(scores, true);
  },
};
