// NodeResourcesFit. Filter: the requests of the pods on the node plus this pod's must stay within
// the node's allocatable cpu, memory and pod count. Score: how much room the node has left after
// taking the pod, per resource r with weight w_r, as a weighted mean:
//   LeastAllocated (spread):   sum_r w_r * (alloc_r - req_r) * 100 / alloc_r  /  sum_r w_r
//   MostAllocated (bin-pack):  sum_r w_r * req_r * 100 / alloc_r              /  sum_r w_r
// where req_r counts pods without requests as 100m / 200Mi, as Kubernetes does.

import { SUCCESS, unschedulable, type Plugin, type Status } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';
export interface ResourceWeights {
  cpu: number;
  memory: number;
}

// The seven ways of not fitting, built once: rejections are recorded for every node of an
// unschedulable pod's attempt, and sharing them keeps those records small.
const NOT_FITTING: Status[] = Array.from({ length: 8 }, (_, bits) => {
  const reasons: string[] = [];
  if (bits & 1) reasons.push('Too many pods');
  if (bits & 2) reasons.push('Insufficient cpu');
  if (bits & 4) reasons.push('Insufficient memory');
  return Object.freeze(unschedulable(...reasons));
});

export function computeFit(pod: PodInfo, node: NodeInfo): Status {
  const r = pod.requests;
  const bits =
    (node.pods.size + 1 > node.allocatable.pods ? 1 : 0) |
    (r.milliCpu > 0 && node.requested.milliCpu + r.milliCpu > node.allocatable.milliCpu ? 2 : 0) |
    (r.memory > 0 && node.requested.memory + r.memory > node.allocatable.memory ? 4 : 0);
  return bits === 0 ? SUCCESS : NOT_FITTING[bits];
}

function leastAllocated(requested: number, allocatable: number): number {
  if (allocatable === 0 || requested > allocatable) return 0;
  return ((allocatable - requested) * 100) / allocatable;
}

function mostAllocated(requested: number, allocatable: number): number {
  if (allocatable === 0) return 0;
  return (Math.min(requested, allocatable) * 100) / allocatable;
}

export function computeAllocationScore(strategy: ScoringStrategy, weights: ResourceWeights, pod: PodInfo, node: NodeInfo): number {
  const f = strategy === 'MostAllocated' ? mostAllocated : leastAllocated;
  const cpu = f(node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu, node.allocatable.milliCpu);
  const mem = f(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, node.allocatable.memory);
  const total = weights.cpu + weights.memory;
  return total === 0 ? 0 : Math.floor((cpu * weights.cpu + mem * weights.memory) / total);
}

export function nodeResourcesFit(strategy: ScoringStrategy, weights: ResourceWeights): Plugin {
  return {
    name: 'NodeResourcesFit',
    filter: (_ctx, pod, node) => computeFit(pod, node),
    score: (_ctx, pod, node) => computeAllocationScore(strategy, weights, pod, node),
  };
}
