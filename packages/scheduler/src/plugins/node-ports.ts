// NodePorts: a host port (protocol, port, IP) can be bound by one pod per node; 0.0.0.0 clashes
// with every IP.

import { SUCCESS, unschedulable, type Plugin } from '../framework.ts';

export const PORTS_TAKEN = "node(s) didn't have free ports for the requested pod ports";
const REJECTED = Object.freeze(unschedulable(PORTS_TAKEN));

export const nodePorts: Plugin = {
  name: 'NodePorts',
  preFilter: (_ctx, pod) => (pod.hostPorts.length > 0 ? undefined : 'Skip'),
  filter(_ctx, pod, node) {
    if (pod.hostPorts.length === 0) return SUCCESS;
    return node.portsConflict(pod.hostPorts) ? REJECTED : SUCCESS;
  },
};
