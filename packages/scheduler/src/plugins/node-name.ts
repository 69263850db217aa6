// NodeName: a pod that names its node (`spec.nodeName`) fits that node only.

import { SUCCESS, unschedulable, type Plugin } from '../framework.ts';

export const NODE_NAME_MISMATCH = "node(s) didn't match the requested node name";
const REJECTED = Object.freeze(unschedulable(NODE_NAME_MISMATCH));

export const nodeName: Plugin = {
  name: 'NodeName',
  preFilter: (_ctx, pod) => (pod.pod.spec.nodeName ? undefined : 'Skip'),
  filter(_ctx, pod, node) {
    const wanted = pod.pod.spec.nodeName;
    return !wanted || wanted === node.name ? SUCCESS : REJECTED;
  },
};
