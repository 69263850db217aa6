// Per-resource strategies: what a create, an update and a status update may change, when
// metadata.generation moves, and how deletion behaves. Mirrors the rest strategies of
// kube-apiserver (pkg/registry/<group>/<kind>/strategy.go) for the kinds skiff serves.
import type { FieldCause, KubeObject, ResourceInfo } from '@skiff/api';
import { apiVersionOf, deepEqual, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, validatePodEphemeralContainersUpdate } from '@skiff/api';
export { deepEqual };
import type { IPv4CIDR } from '@skiff/api';
import type { Awaitable, Storage } from '../storage/types.ts';
import { allocateServiceAddresses, keepServiceAddresses, parseServiceRange } from './service-ips.ts';
import { claimAsService, claimedAddresses, releaseClaims, takeClaims } from './service-claims.ts';
import { admitDefaultStorageClass } from './storage-classes.ts';
import type { PriorityClasses } from './priority-classes.ts';
import type { ServiceAccountAdmission } from './service-account-admission.ts';
import { generateJobSelector } from './jobs.ts';
import type { UserInfo } from '../auth/user.ts';
import { certificateSigningRequestStrategy } from './certificate-signing-requests.ts';

/** Who sent a write, for admission that reads it. */
export interface Requester {
  user: UserInfo;
  /** A request header (lower-case name), e.g. the node password a joining agent sends. */
  header(name: string): string | undefined;
}

export interface Strategy {
  /** Has a status subresource: the main resource's writes keep the stored status. */
  statusSubresource: boolean;
  /** Sets metadata.generation (1 on create, +1 when the desired state changes). */
  tracksGeneration: boolean;
  /** Status reset on create (Kubernetes drops client-supplied status for most kinds). */
  initialStatus?: (obj: KubeObject) => unknown;
  /** Whether an update bumps the generation, given the new and old objects. */
  specChanged(next: KubeObject, old: KubeObject): boolean;
  /** Grace period for a DELETE without gracePeriodSeconds; 0 deletes at once. Only pods are graceful. */
  defaultGracePeriod(obj: KubeObject): number;
  /** PUT on a missing object creates it (leases, endpoints, events). */
  allowCreateOnUpdate: boolean;
  /** DELETE answers with the deleted object (pods, services, namespaces); otherwise a Success Status. */
  returnDeletedObject: boolean;
  /** Fills in server-assigned fields on create (a Service's ClusterIP and NodePorts); causes make a 422. A dry run claims nothing. */
  assignOnCreate?(obj: KubeObject, storage: Storage, dryRun: boolean, requester?: Requester): Awaitable<FieldCause[]>;
  /** Gives back what assignOnCreate took, when the object is deleted or its create failed. */
  releaseOnDelete?(obj: KubeObject, storage: Storage): Awaitable<void>;
  /** Keeps server-assigned fields an update leaves out, and refuses to change them. */
  keepOnUpdate?(next: KubeObject, old: KubeObject): FieldCause[];
  /** Admission on create after defaulting, reading other objects (Priority); throws an ApiError (403) to refuse. */
  admit?(obj: KubeObject, requester?: Requester): Awaitable<void>;
  /** Admission on an update of the main resource; throws an ApiError to refuse. */
  admitUpdate?(next: KubeObject, old: KubeObject): void;
  /** What a create adds beyond defaulting (a Namespace's `kubernetes` finalizer). */
  prepareCreate?(obj: KubeObject): void;
  /** What an update of the main resource may not change (a Namespace's spec.finalizers: only /finalize). */
  keepOnMainUpdate?(desired: KubeObject, old: KubeObject): void;
  /**
   * Whether a DELETE must leave the object for a controller to empty first (a Namespace with
   * spec.finalizers): the status it shows meanwhile, or undefined to delete as usual.
   */
  statusWhileFinalizing?(obj: KubeObject): KubeObject['status'] | undefined;
  /** Writes through a subresource of their own: the next object from the desired and stored ones, and its failing fields. */
  subresourceUpdates?: Partial<Record<'ephemeralcontainers' | 'approval' | 'status', { prepare(desired: KubeObject, old: KubeObject): KubeObject; validate(next: KubeObject, old: KubeObject): FieldCause[] }>>;
}

function addFinalizer(obj: KubeObject, finalizer: string): void {
  const f = obj.metadata.finalizers ?? [];
  if (!f.includes(finalizer)) obj.metadata.finalizers = [...f, finalizer];
}

/** Everything outside metadata and status: what "the spec" is for kinds with top-level fields (spec, data, target...). */
function desiredPart(o: KubeObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in o) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') out[k] = o[k];
  return out;
}

function outsideMetaChanged(next: KubeObject, old: KubeObject): boolean {
  return !deepEqual(desiredPart(next), desiredPart(old));
}

/** The finalizer the namespace controller removes once a namespace is empty. */
export const NAMESPACE_FINALIZER = 'kubernetes';

const base: Strategy = {
  statusSubresource: false,
  tracksGeneration: false,
  specChanged: outsideMetaChanged,
  defaultGracePeriod: () => 0,
  allowCreateOnUpdate: false,
  returnDeletedObject: false,
};

const workload: Strategy = {
  ...base,
  statusSubresource: true,
  tracksGeneration: true,
  initialStatus: () => undefined,
};

const STRATEGIES: Record<string, Strategy> = {
  // Namespaces are emptied by the namespace controller before they go: the `kubernetes`
  // finalizer in spec.finalizers holds them (Terminating) until it has removed every object.
  namespaces: {
    ...base,
    statusSubresource: true,
    returnDeletedObject: true,
    initialStatus: () => ({ phase: 'Active' }),
    prepareCreate: (ns) => {
      ns.spec = { finalizers: [NAMESPACE_FINALIZER], ...(ns.spec ?? {}) };
    },
    keepOnMainUpdate: (desired, old) => {
      desired.spec = old.spec;
    },
    statusWhileFinalizing: (ns) => ((ns.spec?.finalizers ?? []).length > 0 ? { ...(ns.status ?? {}), phase: 'Terminating' } : undefined),
  },
  // Kubernetes 1.32 does not set generation on pods (PodObservedGenerationTracking came in 1.33);
  // skiff sets it as newer releases do, so controllers can observe spec changes uniformly.
  pods: {
    ...base,
    statusSubresource: true,
    tracksGeneration: true,
    returnDeletedObject: true,
    initialStatus: (obj) => ({ phase: 'Pending', ...(obj.status?.qosClass ? { qosClass: obj.status.qosClass } : {}) }),
    // Ephemeral containers change through pods/NAME/ephemeralcontainers only, and what Priority
    // admission set on create is the server's: an update that leaves them out (kubectl replace of
    // the original manifest) keeps them; changing them is refused by the pod update rules.
    keepOnMainUpdate: (desired, old) => {
      if (!desired.spec) return;
      for (const f of ['ephemeralContainers', 'priority', 'priorityClassName', 'preemptionPolicy']) {
        if (desired.spec[f] === undefined && old.spec?.[f] !== undefined) desired.spec[f] = old.spec[f];
      }
    },
    subresourceUpdates: {
      ephemeralcontainers: {
        prepare: (desired, old) => {
          const next: KubeObject = { ...old, metadata: { ...old.metadata }, spec: { ...old.spec } };
          if (desired.spec?.ephemeralContainers?.length) next.spec!.ephemeralContainers = desired.spec.ephemeralContainers;
          else delete next.spec!.ephemeralContainers;
          return next;
        },
        validate: validatePodEphemeralContainersUpdate,
      },
    },
    defaultGracePeriod: (pod) => {
      // Unscheduled and finished pods have nothing to stop: Kubernetes deletes them at once.
      if (!pod.spec?.nodeName) return 0;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return 0;
      const g = pod.spec?.terminationGracePeriodSeconds;
      return typeof g === 'number' && g >= 0 ? g : 30;
    },
  },
  services: {
    ...base,
    statusSubresource: true,
    returnDeletedObject: true,
    initialStatus: () => ({ loadBalancer: {} }),
    // Allocation picks addresses no Service has, then claims them in the store (./service-claims.ts).
    assignOnCreate: assignServiceAddresses(parseServiceRange()),
    releaseOnDelete: (svc, storage) => releaseClaims(storage, svc),
    keepOnUpdate: keepServiceAddresses,
  },
  // Nodes may set their status on create (the agent registers with addresses and capacity).
  nodes: { ...base, statusSubresource: true },
  endpoints: { ...base, allowCreateOnUpdate: true },
  'discovery.k8s.io/endpointslices': base,
  events: { ...base, allowCreateOnUpdate: true },
  'coordination.k8s.io/leases': { ...base, allowCreateOnUpdate: true },
  configmaps: base,
  secrets: base,
  serviceaccounts: base,
  // Claims and volumes start Pending (defaulting sets the phase); their status belongs to the binder.
  persistentvolumeclaims: {
    ...base,
    statusSubresource: true,
    returnDeletedObject: true,
    initialStatus: () => undefined,
    // DefaultStorageClass admission: a claim that names no class gets the default one.
    assignOnCreate: async (pvc, storage) => {
      await admitDefaultStorageClass(pvc, storage);
      return [];
    },
    // StorageObjectInUseProtection admission: a claim in use by a pod is not removed until the pod is.
    prepareCreate: (pvc) => addFinalizer(pvc, PVC_PROTECTION_FINALIZER),
  },
  // ... and a volume bound to a claim not until the claim is.
  persistentvolumes: { ...base, statusSubresource: true, returnDeletedObject: true, initialStatus: () => undefined, prepareCreate: (pv) => addFinalizer(pv, PV_PROTECTION_FINALIZER) },
  'storage.k8s.io/storageclasses': { ...base, returnDeletedObject: true },
  // Jobs select their pods by their own uid unless spec.manualSelector says otherwise.
  'batch/jobs': { ...workload, prepareCreate: generateJobSelector },
  'batch/cronjobs': workload,
  // A budget's status is the disruption controller's (and the eviction handler's); its v1 counts are always written.
  'policy/poddisruptionbudgets': { ...workload, initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }) },
  // Stored for an ingress controller to act on (skiff has none); its status is the controller's.
  'networking.k8s.io/ingresses': workload,
  'certificates.k8s.io/certificatesigningrequests': certificateSigningRequestStrategy(base),
  replicationcontrollers: workload,
  'apps/replicasets': workload,
  'apps/daemonsets': workload,
  'apps/statefulsets': workload,
  'apps/controllerrevisions': { ...base, returnDeletedObject: false },
  'apps/deployments': {
    ...workload,
    // Annotations are copied to the ReplicaSets, so Kubernetes bumps the generation for them too.
    specChanged: (next, old) => outsideMetaChanged(next, old) || !deepEqual(next.metadata.annotations ?? {}, old.metadata.annotations ?? {}),
  },
};

/**
 * A Service's ClusterIP and NodePorts from `range`: addresses no Service has, then claimed in the
 * store (./service-claims.ts); a claim another API server took in the meantime counts as used and
 * the pick is redone.
 */
function assignServiceAddresses(range: IPv4CIDR): NonNullable<Strategy['assignOnCreate']> {
  return async (svc, storage, dryRun) => {
    // Services and claims both: a claim is taken before its Service is stored.
    const existing = [...(await storage.list('services')).items, ...(await claimedAddresses(storage))];
    const owner = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
    const requested = svc.spec ?? {};
    for (let attempt = 0; attempt < 16; attempt++) {
      // The first free address first; after a collision, a random start spreads racing servers.
      const { spec, causes } = allocateServiceAddresses(svc, existing, attempt === 0 ? 0 : Math.floor(Math.random() * 65536), range);
      if (causes.length > 0 || dryRun) {
        svc.spec = spec;
        return causes;
      }
      const held = await takeClaims(storage, spec, owner);
      if (held === undefined) {
        svc.spec = spec;
        return [];
      }
      const heldIP = held.startsWith('ip-') ? held.slice(3) : undefined;
      const heldPort = held.startsWith('port-') ? Number(held.slice(5)) : undefined;
      if ((heldIP && requested.clusterIP === heldIP) || (heldPort && (requested.ports ?? []).some((p: { nodePort?: number }) => p.nodePort === heldPort))) {
        return [{ reason: 'FieldValueInvalid', field: heldIP ? 'spec.clusterIPs' : 'spec.ports', message: `Invalid value: ${heldIP ? `"${heldIP}"` : heldPort}: provided ${heldIP ? 'IP' : 'port'} is already allocated` }];
      }
      // Someone else's: count it as used and pick again.
      existing.push(claimAsService(held));
    }
    return [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: 'failed to allocate: too many concurrent allocations; try again' }];
  };
}

export function storageKeyOf(r: ResourceInfo): string {
  return r.group === '' ? r.plural : `${r.group}/${r.plural}`;
}

export interface StrategyOptions {
  /** The service CIDR ClusterIPs come from (default 10.96.0.0/16). */
  serviceRange?: IPv4CIDR;
  /** Priority admission for pods and PriorityClasses (without it, pods keep what they say). */
  priorityClasses?: PriorityClasses;
  /** ServiceAccount admission for pods (on a server that issues ServiceAccount tokens). */
  serviceAccounts?: ServiceAccountAdmission;
}

export function strategyFor(r: ResourceInfo, o: StrategyOptions = {}): Strategy {
  const key = storageKeyOf(r);
  if (key === 'services' && o.serviceRange) {
    const range = o.serviceRange;
    return {
      ...STRATEGIES.services,
      assignOnCreate: assignServiceAddresses(range),
    };
  }
  const pcs = o.priorityClasses;
  const sas = o.serviceAccounts;
  if (key === 'pods' && (pcs || sas)) {
    return {
      ...STRATEGIES.pods,
      admit: async (pod) => {
        await pcs?.admitPod(pod);
        await sas?.admitPod(pod);
      },
    };
  }
  if (key === 'scheduling.k8s.io/priorityclasses' && pcs) return { ...base, admit: (pc) => pcs.admitClass(pc), admitUpdate: (pc) => pcs.admitClassUpdate(pc) };
  return STRATEGIES[storageKeyOf(r)] ?? { ...base, statusSubresource: r.subresources.includes('status') };
}

export function typeMetaOf(r: ResourceInfo): { apiVersion: string; kind: string } {
  return { apiVersion: apiVersionOf(r), kind: r.kind };
}
