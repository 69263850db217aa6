// How many feasible nodes to look for before scoring, as kube-scheduler's
// percentageOfNodesToScore: every node in clusters under 100 nodes; otherwise the configured
// percentage, or by default an adaptive one, 50% minus 1% per 125 nodes and at least 5%;
// and never fewer than 100 nodes.

export const MIN_FEASIBLE_NODES = 100;
const MIN_ADAPTIVE_PERCENTAGE = 5;
const BASE_ADAPTIVE_PERCENTAGE = 50;

/** @param percentage the configured percentageOfNodesToScore; 0 means adaptive. */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES || percentage >= 100) return numAllNodes;
  let p = percentage;
  if (p <= 0) {
    p = BASE_ADAPTIVE_PERCENTAGE - Math.trunc(numAllNodes / 125);
    if (p < MIN_ADAPTIVE_PERCENTAGE) p = MIN_ADAPTIVE_PERCENTAGE;
  }
  const n = Math.trunc((numAllNodes * p) / 100);
  return Math.min(numAllNodes, Math.max(n, MIN_FEASIBLE_NODES));
}
