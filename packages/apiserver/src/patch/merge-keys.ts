// Which lists merge, and by what key: the patch metadata Kubernetes declares on its Go types
// (`patchStrategy:"merge" patchMergeKey:"..."` in k8s.io/api), written out for the kinds skiff
// serves. Strategic merge patch and server-side apply both read it.
//
// A list without an entry here is atomic: a patch replaces it whole. That is the Kubernetes rule
// for, among others, tolerations, node taints, Endpoints subsets (and their addresses and
// ports), container args/command/envFrom, a selector's matchExpressions, Service externalIPs and
// Namespace spec.finalizers, none of which carry a patch strategy in k8s.io/api.
//
// Not recorded: the "retainKeys" strategy (pod volumes, resourceClaims, Deployment
// spec.strategy). It only tells kubectl when to send $retainKeys; the server honours $retainKeys
// wherever it appears, so it needs no table.
//
// Service ports are keyed by `port` alone, as strategic merge patch does; server-side apply in
// Kubernetes keys them by (port, protocol), which skiff simplifies to `port` too.

/** Patch metadata of one field. */
export interface FieldSchema {
  /**
   * Present for lists that merge. With `mergeKey` the elements are objects matched by that
   * field; without it the elements are primitives merged as a set (finalizers, podCIDRs).
   */
  merge?: { mergeKey?: string };
  /** Metadata of the fields inside this value (for a list: inside each element). */
  fields?: Schema;
}

export type Schema = { readonly [field: string]: FieldSchema };

const byName = { merge: { mergeKey: 'name' } };
const byType = { merge: { mergeKey: 'type' } };
const byIp = { merge: { mergeKey: 'ip' } };
const asSet = { merge: {} };

const objectMeta: Schema = {
  finalizers: asSet,
  ownerReferences: { merge: { mergeKey: 'uid' } },
};

const container: Schema = {
  ports: { merge: { mergeKey: 'containerPort' } },
  env: byName,
  volumeMounts: { merge: { mergeKey: 'mountPath' } },
  volumeDevices: { merge: { mergeKey: 'devicePath' } },
};

const podSpec: Schema = {
  containers: { ...byName, fields: container },
  initContainers: { ...byName, fields: container },
  ephemeralContainers: { ...byName, fields: container },
  volumes: byName,
  imagePullSecrets: byName,
  hostAliases: byIp,
  topologySpreadConstraints: { merge: { mergeKey: 'topologyKey' } },
  schedulingGates: byName,
  resourceClaims: byName,
};

const podStatus: Schema = {
  conditions: byType,
  podIPs: byIp,
  hostIPs: byIp,
};

const podTemplate: Schema = {
  metadata: { fields: objectMeta },
  spec: { fields: podSpec },
};

/** Conditions keyed by type: the status of every workload kind. */
const conditionsStatus: Schema = { conditions: byType };

const workload: Schema = {
  spec: { fields: { template: { fields: podTemplate } } },
  status: { fields: conditionsStatus },
};

const specs: Readonly<Record<string, Schema>> = {
  Pod: { spec: { fields: podSpec }, status: { fields: podStatus } },
  Deployment: workload,
  ReplicaSet: workload,
  ReplicationController: workload,
  Service: {
    spec: { fields: { ports: { merge: { mergeKey: 'port' } } } },
    status: { fields: conditionsStatus },
  },
  Node: {
    spec: { fields: { podCIDRs: asSet } },
    status: { fields: { conditions: byType, addresses: byType } },
  },
  Namespace: { status: { fields: conditionsStatus } },
  Endpoints: {},
  Event: {},
  Lease: {},
};

/**
 * The patch metadata of a whole object of `kind`. Unknown kinds get only the metadata every
 * object shares, so their other lists are replaced, as a JSON merge patch would.
 */
export function schemaForKind(kind: string): Schema {
  const own = Object.hasOwn(specs, kind) ? specs[kind] : {};
  return { metadata: { fields: objectMeta }, ...own };
}

/** The metadata of `field` within `schema`, if any (own keys only: field names are data). */
export function fieldSchema(schema: Schema | undefined, field: string): FieldSchema | undefined {
  return schema !== undefined && Object.hasOwn(schema, field) ? schema[field] : undefined;
}
