// The PersistentVolume binder's decisions, pure: what a claim or a volume needs next, as
// Kubernetes' PV controller (pkg/controller/volume/persistentvolume) decides it.
//
//   claim with spec.volumeName      -> Bound once the volume's claimRef names it; Lost if the volume is gone
//   claim without                   -> takes the volume pre-bound to it (a provisioner's), else, for a
//                                      class that binds Immediately, the smallest Available volume
//                                      that fits; else Pending (WaitForFirstConsumer: a provisioner
//                                      acts once the scheduler has picked a node)
//   volume without claimRef         -> Available
//   volume whose claim is gone      -> Released (Retain keeps it; Delete: its provisioner removes it)
import { compareQuantity, type KubeObject } from '@skiff/api';

export const BIND_COMPLETED_ANNOTATION = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER_ANNOTATION = 'pv.kubernetes.io/bound-by-controller';

export type ClaimAction =
  | { type: 'set-volume-name'; volumeName: string }
  | { type: 'claim-volume'; volume: KubeObject }
  | { type: 'claim-status'; phase: 'Pending' | 'Bound' | 'Lost'; volume?: KubeObject }
  | { type: 'none' };

export type VolumeAction = { type: 'volume-status'; phase: 'Available' | 'Bound' | 'Released'; message?: string } | { type: 'none' };

interface ClaimRef {
  namespace?: string;
  name?: string;
  uid?: string;
}

const refOf = (pv: KubeObject): ClaimRef | undefined => pv.spec?.claimRef;
const refersTo = (ref: ClaimRef | undefined, claim: KubeObject) =>
  !!ref && ref.namespace === claim.metadata.namespace && ref.name === claim.metadata.name && (!ref.uid || ref.uid === claim.metadata.uid);

export function planClaim(claim: KubeObject, volumes: readonly KubeObject[], bindingMode: string | undefined): ClaimAction {
  if (claim.metadata.deletionTimestamp) return { type: 'none' };
  const phase = claim.status?.phase;
  const volumeName: string | undefined = claim.spec?.volumeName;
  if (volumeName) {
    const pv = volumes.find((v) => v.metadata.name === volumeName);
    // A bound claim whose volume vanished is Lost; one naming a volume not made yet waits, Pending.
    if (!pv) return phase === 'Bound' ? { type: 'claim-status', phase: 'Lost' } : phase ? { type: 'none' } : { type: 'claim-status', phase: 'Pending' };
    const ref = refOf(pv);
    if (!ref) return { type: 'claim-volume', volume: pv }; // the user named a free volume: take it
    if (!refersTo(ref, claim)) return phase === 'Lost' ? { type: 'none' } : { type: 'claim-status', phase: 'Lost' };
    return boundStatusCurrent(claim, pv) ? { type: 'none' } : { type: 'claim-status', phase: 'Bound', volume: pv };
  }
  const preBound = volumes.find((v) => refersTo(refOf(v), claim));
  if (preBound) return { type: 'set-volume-name', volumeName: preBound.metadata.name! };
  if (bindingMode !== 'WaitForFirstConsumer') {
    const match = findMatchingVolume(claim, volumes);
    if (match) return { type: 'claim-volume', volume: match };
  }
  return phase === 'Pending' ? { type: 'none' } : { type: 'claim-status', phase: 'Pending' };
}

function boundStatusCurrent(claim: KubeObject, pv: KubeObject): boolean {
  const s = claim.status ?? {};
  return s.phase === 'Bound' && JSON.stringify(s.capacity ?? {}) === JSON.stringify(pv.spec?.capacity ?? {}) && JSON.stringify(s.accessModes ?? []) === JSON.stringify(pv.spec?.accessModes ?? []);
}

/** The smallest Available volume of the claim's class with its access modes and at least its request. */
export function findMatchingVolume(claim: KubeObject, volumes: readonly KubeObject[]): KubeObject | undefined {
  const cls = claim.spec?.storageClassName ?? '';
  const modes: string[] = claim.spec?.accessModes ?? [];
  const request: string | undefined = claim.spec?.resources?.requests?.storage;
  const candidates = volumes.filter((v) => {
    if (refOf(v) || v.metadata.deletionTimestamp || (v.status?.phase && v.status.phase !== 'Available')) return false;
    if ((v.spec?.storageClassName ?? '') !== cls) return false;
    if ((v.spec?.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
    const has: string[] = v.spec?.accessModes ?? [];
    if (!modes.every((m) => has.includes(m))) return false;
    const cap: string | undefined = v.spec?.capacity?.storage;
    return !request || (cap !== undefined && compareQuantity(cap, request) >= 0);
  });
  candidates.sort((a, b) => compareQuantity(a.spec?.capacity?.storage ?? '0', b.spec?.capacity?.storage ?? '0'));
  return candidates[0];
}

export function planVolume(pv: KubeObject, claim: KubeObject | undefined): VolumeAction {
  const phase: string | undefined = pv.status?.phase;
  const ref = refOf(pv);
  let wanted: 'Available' | 'Bound' | 'Released';
  if (!ref) wanted = 'Available';
  else if (claim && refersTo(ref, claim)) wanted = claim.spec?.volumeName === pv.metadata.name ? 'Bound' : 'Available';
  else if (!ref.uid && !claim) wanted = 'Available'; // pre-bound by name to a claim not made yet
  else wanted = 'Released';
  if (phase === 'Failed' || phase === wanted) return { type: 'none' };
  if (phase === 'Released' && wanted !== 'Released') return { type: 'none' }; // a released volume is not reused
  return { type: 'volume-status', phase: wanted };
}
