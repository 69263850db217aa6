// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in equal
// proportion after taking the pod: 100 * (1 - standard deviation of the used fractions), which
// for two resources is 100 * (1 - |f_cpu - f_mem| / 2). Fractions are capped at 1.

import type { Plugin } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';

function fraction(requested: number, allocatable: number): number {
  return allocatable === 0 ? 1 : Math.min(1, requested / allocatable);
}

export function computeBalance(pod: PodInfo, node: NodeInfo): number {
  const cpu = fraction(node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu, node.allocatable.milliCpu);
  const mem = fraction(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, node.allocatable.memory);
  const std = Math.abs(cpu - mem) / 2;
  return Math.floor((1 - std) * 100);
}

export const balancedAllocation: Plugin = {
  name: 'NodeResourcesBalancedAllocation',
  score: (_ctx, pod, node) => computeBalance(pod, node),
};
