// NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint that cordoning implies.

import { SUCCESS, unschedulable, type Plugin } from '../framework.ts';
import { toleratesTaint } from './taint-toleration.ts';

export const UNSCHEDULABLE = 'node(s) were unschedulable';
const REJECTED = Object.freeze(unschedulable(UNSCHEDULABLE));
const CORDON_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  filter(_ctx, pod, node) {
    if (!node.unschedulable) return SUCCESS;
    if (pod.tolerations.some((t) => toleratesTaint(t, CORDON_TAINT))) return SUCCESS;
    return REJECTED;
  },
};
