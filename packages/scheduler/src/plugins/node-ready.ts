// NodeReady: only nodes whose Ready condition is True take new pods. (kube-scheduler gets this
// through the node.kubernetes.io/not-ready taint; skiff's agents set the condition directly.)

import { SUCCESS, unschedulable, type Plugin } from '../framework.ts';

export const NOT_READY = 'node(s) were not ready';
const REJECTED = Object.freeze(unschedulable(NOT_READY));

export const nodeReady: Plugin = {
  name: 'NodeReady',
  filter(_ctx, _pod, node) {
    return node.ready ? SUCCESS : REJECTED;
  },
};
