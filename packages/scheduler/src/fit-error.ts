// The FailedScheduling message kubectl users know:
//   0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.
// Each reason is counted once per node it applies to; the most frequent reasons come first
// (ties alphabetically), so the usual culprit leads.

export const NO_NODES = 'no nodes available to schedule pods';

export function computeFitErrorMessage(numAllNodes: number, reasonsPerNode: Iterable<readonly string[]>): string {
  if (numAllNodes === 0) return NO_NODES;
  const histogram = new Map<string, number>();
  for (const reasons of reasonsPerNode) {
    for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  }
  const parts = [...histogram.entries()]
    .sort(([ra, a], [rb, b]) => b - a || (ra < rb ? -1 : ra > rb ? 1 : 0))
    .map(([reason, count]) => `${count} ${reason}`);
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}
