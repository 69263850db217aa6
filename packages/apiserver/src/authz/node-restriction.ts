// NodeRestriction admission (plugin/pkg/admission/noderestriction): what a node agent writes is
// its own. A node may change only its own Node (and not give itself
// `node-restriction.kubernetes.io/` labels), only its own Lease in kube-node-lease, only the
// status of pods bound to it (and delete them), and ask for ServiceAccount tokens only bound to
// its own pods. skiff additions: the only change a node may make to a pod's main resource is the
// `skiff.dev/host-ports` annotation, and the PersistentVolumes it provisions or removes must be
// pinned to it (ADR 0018).
import type { KubeObject } from '@skiff/api';
import { deepEqual, HOST_PORTS_ANNOTATION } from '@skiff/api';
import { forbidden } from '../errors/status.ts';
import type { UserInfo } from '../auth/user.ts';
import type { AdmissionAttributes, ValidatingAdmission } from '../registry/admission.ts';
import { NODE_LEASE_NAMESPACE, nodeNameOf } from './node-authorizer.ts';
import { pinnedNode } from './pinned-volume.ts';

const RESTRICTED_LABEL_PREFIX = 'node-restriction.kubernetes.io/';

/** The pod without the one annotation a node may write. */
function withoutHostPorts(pod: KubeObject): unknown {
  const { [HOST_PORTS_ANNOTATION]: _h, ...annotations } = pod.metadata.annotations ?? {};
  const { resourceVersion: _r, managedFields: _m, annotations: _a, ...meta } = pod.metadata;
  return { ...pod, metadata: { ...meta, annotations }, status: undefined };
}

export const nodeRestriction: ValidatingAdmission = (a) => {
  const node = nodeNameOf(a.user);
  if (node === undefined) return;
  const refuse = (why: string) => forbidden(a.ref, a.name, why);
  switch (a.resource) {
    case 'pods': {
      const pod = a.old ?? a.object!;
      const verb = a.operation === 'DELETE' ? 'delete' : a.subresource === 'status' ? 'update pod status for' : 'update';
      if (a.operation === 'CREATE') throw refuse(`pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
      if (pod.spec?.nodeName !== node) throw refuse(`node "${node}" can only ${verb} pods with spec.nodeName set to itself`);
      if (a.operation === 'UPDATE' && a.subresource === '' && !deepEqual(withoutHostPorts(a.object!), withoutHostPorts(a.old!))) {
        throw refuse(`node "${node}" may only change the ${HOST_PORTS_ANNOTATION} annotation of its pods`);
      }
      if (a.operation === 'UPDATE' && a.subresource !== '' && a.subresource !== 'status') throw refuse(`node "${node}" cannot update pods/${a.subresource}`);
      return;
    }
    case 'nodes': {
      const name = a.object?.metadata.name ?? a.name;
      if (name !== node) throw refuse(`node "${node}" is not allowed to modify node "${name}"`);
      if (a.object) {
        const had = a.old?.metadata.labels ?? {};
        const changed = Object.entries(a.object.metadata.labels ?? {}).filter(([k, v]) => k.startsWith(RESTRICTED_LABEL_PREFIX) && had[k] !== v).map(([k]) => k);
        if (changed.length) throw refuse(`node "${node}" is not allowed to modify labels: ${changed.sort().join(', ')}`);
      }
      return;
    }
    case 'coordination.k8s.io/leases': {
      const name = a.object?.metadata.name ?? a.name;
      if (a.namespace === NODE_LEASE_NAMESPACE && name !== node) throw refuse('can only access node lease with the same name as the requesting node');
      return;
    }
    case 'persistentvolumes': {
      const pv = a.object ?? a.old!;
      if (pinnedNode(pv) !== node) throw refuse(`node "${node}" can only ${a.operation === 'DELETE' ? 'delete' : 'write'} persistentvolumes pinned to itself by node affinity`);
      return;
    }
  }
};

/** A node's TokenRequest must be bound to one of its own pods (NodeRestriction's admitServiceAccount). */
export function checkNodeTokenRequest(user: UserInfo, bound: { kind?: string; object?: KubeObject }, ref: { plural: string; group: string }, name: string): void {
  const node = nodeNameOf(user);
  if (node === undefined) return;
  if (bound.kind !== 'Pod' || !bound.object) throw forbidden(ref, name, `node requested token not bound to a pod`);
  if (bound.object.spec?.nodeName !== node) throw forbidden(ref, name, `node requested token bound to a pod scheduled on a different node`);
}
