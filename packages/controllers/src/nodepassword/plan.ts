// What the node password controller does with one node name (pure): the Secret that keeps the
// name's node password (ADR 0019) is tied to its Node by an ownerReference once the Node exists,
// and goes when that Node goes — deleted, or replaced by another Node of the name — as k3s removes
// a node's password with the node. A Secret never tied to a Node (the join never registered one)
// is removed after a grace period, as k3s cleans up orphaned node passwords; within it the join
// may still finish.
import type { KubeObject, OwnerReference } from '@skiff/api';

/** How long a node password may wait for its Node before it is taken as orphaned. */
export const ORPHAN_GRACE_MS = 60 * 60_000;

export type NodePasswordPlan =
  | { tie: OwnerReference[] }
  | { delete: string }
  | { requeueAfterMs: number }
  | undefined;

function nodeOwner(secret: KubeObject): OwnerReference | undefined {
  return (secret.metadata.ownerReferences ?? []).find((r) => r.kind === 'Node' && r.apiVersion === 'v1');
}

export function planNodePassword(secret: KubeObject | undefined, node: KubeObject | undefined, now: number, graceMs = ORPHAN_GRACE_MS): NodePasswordPlan {
  if (!secret || secret.metadata.deletionTimestamp) return undefined;
  const owner = nodeOwner(secret);
  if (owner) {
    if (node && node.metadata.uid === owner.uid) return undefined;
    return { delete: node ? `its Node ${owner.name} (uid ${owner.uid}) was replaced by another` : `its Node ${owner.name} was deleted` };
  }
  if (node) {
    if (node.metadata.deletionTimestamp) return undefined; // going: no tie to a Node on its way out
    const ref: OwnerReference = { apiVersion: 'v1', kind: 'Node', name: node.metadata.name!, uid: node.metadata.uid! };
    return { tie: [...(secret.metadata.ownerReferences ?? []), ref] };
  }
  const age = now - Date.parse(secret.metadata.creationTimestamp ?? '');
  if (!(age >= 0)) return undefined;
  if (age >= graceMs) return { delete: `no Node registered under its name within ${Math.round(graceMs / 60_000)} min of the join` };
  return { requeueAfterMs: graceMs - age };
}
