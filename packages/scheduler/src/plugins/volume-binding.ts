// VolumeBinding: a pod's persistentVolumeClaims must be usable on the node. A bound claim's
// PersistentVolume must allow the node (its required nodeAffinity: a local volume lives on one
// node); an unbound claim of a WaitForFirstConsumer class can be provisioned wherever the pod goes
// (unless the claim was already given a node, `volume.kubernetes.io/selected-node`); an unbound
// claim of an Immediate class waits for the binder. ReadWriteOncePod claims already used by
// another pod fit nowhere (kube's VolumeRestrictions). Reasons are Kubernetes' own.

import { SUCCESS, unschedulable, type Plugin, type Status } from '../framework.ts';
import { matchesAnyTerm } from '../model/node-selector.ts';
import type { PodInfo } from '../model/pod-info.ts';
import type { VolumeLister } from '../volumes.ts';

export const VOLUME_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const NO_VOLUME_TO_BIND = "node(s) didn't find available persistent volumes to bind";
export const RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

export function claimNames(pod: PodInfo): string[] {
  const vols = ((pod.pod.spec as { volumes?: { persistentVolumeClaim?: { claimName: string } }[] }).volumes ?? []);
  return vols.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

export function volumeBinding(lister: VolumeLister): Plugin {
  return {
    name: 'VolumeBinding',
    preFilter(_ctx, pod) {
      return claimNames(pod).length > 0 ? undefined : 'Skip';
    },
    filter(ctx, pod, node) {
      // Reasons that hold for every node are computed once per attempt.
      const podWide = ctx.once('VolumeBinding/pod', () => checkPod(lister, pod));
      if (podWide) return podWide;
      const ns = pod.pod.metadata.namespace ?? 'default';
      for (const name of claimNames(pod)) {
        const claim = lister.claim(ns, name)!;
        const volumeName: string | undefined = claim.spec?.volumeName;
        if (volumeName) {
          const pv = lister.volume(volumeName);
          if (!pv) return unschedulable(PV_NOT_EXIST);
          const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
          if (terms && !matchesAnyTerm(terms, node.labels, node.name)) return unschedulable(VOLUME_NODE_CONFLICT);
          continue;
        }
        const selected = lister.selectedNode(ns, name);
        if (selected && selected !== node.name) return unschedulable(VOLUME_NODE_CONFLICT);
      }
      return SUCCESS;
    },
  };
}

/** What rules the pod out on every node: a missing or deleted claim, an unbound Immediate one, RWOP in use. */
function checkPod(lister: VolumeLister, pod: PodInfo): Status | undefined {
  const ns = pod.pod.metadata.namespace ?? 'default';
  for (const name of claimNames(pod)) {
    const claim = lister.claim(ns, name);
    if (!claim) return unschedulable(`persistentvolumeclaim "${name}" not found`);
    if (claim.metadata.deletionTimestamp) return unschedulable(`persistentvolumeclaim "${name}" is being deleted`);
    if (((claim.spec?.accessModes ?? []) as string[]).includes('ReadWriteOncePod') && lister.claimUsers(ns, name).some((k) => k !== pod.key)) return unschedulable(RWOP_CONFLICT);
    if (claim.spec?.volumeName) continue;
    const cls = lister.storageClass(claim.spec?.storageClassName ?? '');
    if (!cls) return unschedulable(`storageclass.storage.k8s.io "${claim.spec?.storageClassName ?? ''}" not found`);
    if (cls.volumeBindingMode !== 'WaitForFirstConsumer') return unschedulable(UNBOUND_IMMEDIATE);
  }
  return undefined;
}
