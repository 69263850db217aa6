// The effectful half of ControllerRevision history: writes what planUpdateRevision and
// planHistoryTruncation decide, shared by the DaemonSet and StatefulSet controllers.
import { getControllerOf, isControlledBy, newControllerRef, type KubeObject } from '@skiff/api';
import { isAlreadyExists, isNotFound, type RestClient } from '@skiff/client';
import { CONTROLLER_REVISIONS } from '../lib/resources.ts';
import { planHistoryTruncation, planUpdateRevision, revisionDataEqual } from './revision.ts';

export interface UpdateRevision {
  revision: KubeObject;
  /** status.collisionCount to write (raised when a different revision already had the name). */
  collisionCount: number;
}

/** Makes sure the owner's current template is stored as its newest revision, and returns it. */
export async function ensureUpdateRevision(client: RestClient, owner: KubeObject, revisions: readonly KubeObject[]): Promise<UpdateRevision> {
  let collisionCount: number = owner.status?.collisionCount ?? 0;
  for (let attempt = 0; attempt < 8; attempt++) {
    const plan = planUpdateRevision(owner, revisions, collisionCount);
    if (plan.action === 'none') return { revision: plan.update, collisionCount };
    if (plan.action === 'renumber') {
      const updated = await client.patch(CONTROLLER_REVISIONS, owner.metadata.namespace, plan.update.metadata.name!, { revision: plan.revision }, 'merge');
      return { revision: updated, collisionCount };
    }
    try {
      return { revision: await client.create(CONTROLLER_REVISIONS, plan.update), collisionCount };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get(CONTROLLER_REVISIONS, owner.metadata.namespace, plan.update.metadata.name!);
      // Ours, with the same template (our cache had not seen it yet): use it.
      if (isControlledBy(existing, owner) && revisionDataEqual(existing.data, plan.update.data)) return { revision: existing, collisionCount };
      // An orphan with the same template (its owner was deleted with --cascade=orphan): adopt it,
      // so the pods that carry its hash stay up to date.
      if (!getControllerOf(existing) && revisionDataEqual(existing.data, plan.update.data)) {
        const adopted = await client.patch(
          CONTROLLER_REVISIONS,
          owner.metadata.namespace,
          existing.metadata.name!,
          { metadata: { ownerReferences: [...(existing.metadata.ownerReferences ?? []), newControllerRef(owner)], resourceVersion: existing.metadata.resourceVersion }, revision: plan.update.revision },
          'merge',
        );
        return { revision: adopted, collisionCount };
      }
      // A hash collision: perturb the hash and try again.
      collisionCount++;
    }
  }
  throw new Error(`${owner.metadata.namespace}/${owner.metadata.name}: no free ControllerRevision name after 8 collisions`);
}

/** Deletes the oldest revisions beyond spec.revisionHistoryLimit that nothing uses any more. */
export async function truncateHistory(client: RestClient, owner: KubeObject, revisions: readonly KubeObject[], live: ReadonlySet<string>): Promise<void> {
  const doomed = planHistoryTruncation(revisions, live, owner.spec?.revisionHistoryLimit ?? 10);
  for (const r of doomed) {
    await client.delete(CONTROLLER_REVISIONS, r.metadata.namespace, r.metadata.name!, { preconditions: { uid: r.metadata.uid } }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
