// ClaimPods (controller_ref_manager.go), for every controller that owns pods by selector: owned
// pods that stopped matching are released, matching orphans adopted (only if the owner, read from
// the server rather than the cache, is still the same object and not being deleted), pods of other
// controllers left alone. The decision per pod is decideClaim (replicaset/plan.ts).
import type { KubeObject, ResourceInfo } from '@skiff/api';
import { isConflict, isNotFound, type RestClient } from '@skiff/client';
import { PODS } from './resources.ts';
import { decideClaim } from '../replicaset/plan.ts';

export interface ClaimPodsInput {
  client: RestClient;
  /** The owner's resource, to re-read it before adopting. */
  resource: ResourceInfo;
  owner: KubeObject;
  /** Pods the owner controls and orphans of its namespace. */
  candidates: Iterable<KubeObject>;
  matches: (pod: KubeObject) => boolean;
}

/** The pods the owner controls after adopting and releasing. */
export async function claimPods(input: ClaimPodsInput): Promise<KubeObject[]> {
  const { client, owner } = input;
  const owned: KubeObject[] = [];
  let fresh: boolean | undefined;
  for (const pod of new Set(input.candidates)) {
    if (pod.metadata.namespace !== owner.metadata.namespace) continue;
    const decision = decideClaim({ ownerUid: owner.metadata.uid!, ownerDeleting: Boolean(owner.metadata.deletionTimestamp), pod, matches: input.matches(pod) });
    if (decision === 'own') owned.push(pod);
    else if (decision === 'release') await patchOwnerRefs(client, pod, (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid));
    else if (decision === 'adopt') {
      fresh ??= await ownerIsCurrent(client, input.resource, owner);
      if (!fresh) continue;
      const ref = { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
      if (await patchOwnerRefs(client, pod, [...(pod.metadata.ownerReferences ?? []), ref])) owned.push(pod);
    }
  }
  return owned;
}

async function ownerIsCurrent(client: RestClient, resource: ResourceInfo, owner: KubeObject): Promise<boolean> {
  try {
    const live = await client.get(resource, owner.metadata.namespace, owner.metadata.name!);
    return live.metadata.uid === owner.metadata.uid && !live.metadata.deletionTimestamp;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Replaces the pod's ownerReferences if it has not changed since it was read. */
async function patchOwnerRefs(client: RestClient, pod: KubeObject, refs: KubeObject['metadata']['ownerReferences']): Promise<boolean> {
  try {
    await client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { metadata: { ownerReferences: refs, resourceVersion: pod.metadata.resourceVersion } }, 'merge');
    return true;
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) return false;
    throw err;
  }
}
