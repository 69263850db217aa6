// When `skiff up` may say its nodes are Ready: when the agent of THIS run on each node has said
// so. On a data directory used before, the Nodes of the last run are still stored with
// Ready=True (the node lifecycle controller marks them Unknown only after its grace period, 40 s),
// so Ready alone would be reported at once, before any agent had started. An agent writes its
// Node's conditions as it registers, each with lastHeartbeatTime set to then (to the second).
import type { Node } from '@skiff/api';

/** The names among `names` whose Node has not reported Ready at or after `since`. */
export function nodesNotReadySince(nodes: readonly Node[], names: readonly string[], since: Date): string[] {
  // Heartbeats are RFC 3339 to the second: one written in the same second as `since` counts.
  const floor = Math.floor(since.getTime() / 1000) * 1000;
  return names.filter((name) => {
    const ready = nodes.find((n) => n.metadata?.name === name)?.status?.conditions?.find((c) => c.type === 'Ready');
    return !(ready?.status === 'True' && ready.lastHeartbeatTime !== undefined && Date.parse(ready.lastHeartbeatTime) >= floor);
  });
}
