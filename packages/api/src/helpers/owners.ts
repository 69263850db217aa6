// Owner references: how controllers find the objects they manage and claim new ones.

import type { KubeObject, OwnerReference } from '../object.ts';

/** The ownerReference marked `controller: true`, if any (metav1.GetControllerOf). */
export function getControllerOf(obj: Pick<KubeObject, 'metadata'>): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** Whether `owner` is the controller of `obj`, compared by UID as Kubernetes does. */
export function isControlledBy(obj: Pick<KubeObject, 'metadata'>, owner: Pick<KubeObject, 'metadata'>): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && owner.metadata?.uid !== undefined && ref.uid === owner.metadata.uid;
}

/** A controller reference to `owner` (metav1.NewControllerRef), blocking owner deletion. */
export function newControllerRef(owner: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
