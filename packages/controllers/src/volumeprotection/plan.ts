// The volume protection decisions, pure, as Kubernetes' pvc-protection and pv-protection
// controllers make them (pkg/controller/volume/{pvc,pv}protection):
//
//   a claim or volume not being deleted    -> gets its finalizer (the API server adds it on create;
//                                             this covers objects made before)
//   a claim being deleted                  -> loses its finalizer once no pod uses it: a pod object
//                                             that is scheduled (spec.nodeName) and names the claim
//   a volume being deleted                 -> loses its finalizer once it is not Bound to a claim
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, type KubeObject } from '@skiff/api';

export type ProtectionAction = { type: 'add-finalizer' } | { type: 'remove-finalizer' } | { type: 'none' };

/** Whether the pod holds the claim: a scheduled pod (the kubelet only sees those) with a volume of it. */
export function podUsesClaim(pod: KubeObject, claimName: string): boolean {
  if (!pod.spec?.nodeName) return false;
  const volumes = (pod.spec.volumes ?? []) as { persistentVolumeClaim?: { claimName?: string } }[];
  return volumes.some((v) => v.persistentVolumeClaim?.claimName === claimName);
}

/** The claims a pod holds (so that its deletion re-checks them). */
export function claimsOf(pod: KubeObject): string[] {
  const volumes = (pod.spec?.volumes ?? []) as { persistentVolumeClaim?: { claimName?: string } }[];
  return volumes.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

function plan(obj: KubeObject, finalizer: string, inUse: () => boolean): ProtectionAction {
  const has = (obj.metadata.finalizers ?? []).includes(finalizer);
  if (!obj.metadata.deletionTimestamp) return has ? { type: 'none' } : { type: 'add-finalizer' };
  return has && !inUse() ? { type: 'remove-finalizer' } : { type: 'none' };
}

/** `pods`: the pods of the claim's namespace. */
export function planClaimProtection(claim: KubeObject, pods: readonly KubeObject[]): ProtectionAction {
  return plan(claim, PVC_PROTECTION_FINALIZER, () => pods.some((p) => podUsesClaim(p, claim.metadata.name!)));
}

export function planVolumeProtection(pv: KubeObject): ProtectionAction {
  return plan(pv, PV_PROTECTION_FINALIZER, () => pv.status?.phase === 'Bound');
}

/** The merge patch that adds or removes a finalizer, guarded by the object's resourceVersion. */
export function finalizerPatch(obj: KubeObject, finalizer: string, action: 'add-finalizer' | 'remove-finalizer'): Record<string, unknown> {
  const current = obj.metadata.finalizers ?? [];
  const next = action === 'add-finalizer' ? [...current, finalizer] : current.filter((f) => f !== finalizer);
  return { metadata: { finalizers: next.length ? next : null, resourceVersion: obj.metadata.resourceVersion } };
}
