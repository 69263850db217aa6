// The resources skiff serves: one descriptor each, pure data. The API server's routes,
// discovery, OpenAPI and the client's paths are all derived from this table.

export type Scope = 'Namespaced' | 'Cluster';
export type Subresource = 'status' | 'scale' | 'binding' | 'log' | 'exec' | 'attach' | 'portforward' | 'ephemeralcontainers' | 'proxy' | 'token' | 'eviction' | 'approval';

export interface ResourceInfo {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lower-case plural used in paths, e.g. `pods`. */
  plural: string;
  singular: string;
  scope: Scope;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
  verbs: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function resource(r: Omit<ResourceInfo, 'listKind' | 'singular' | 'verbs' | 'categories' | 'shortNames' | 'subresources'> &
  Partial<Pick<ResourceInfo, 'categories' | 'shortNames' | 'subresources' | 'verbs'>>): ResourceInfo {
  return {
    listKind: `${r.kind}List`,
    singular: r.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    verbs: ALL_VERBS,
    ...r,
  };
}

export const RESOURCES: readonly ResourceInfo[] = [
  resource({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', scope: 'Cluster', shortNames: ['ns'], subresources: ['status'] }),
  resource({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', scope: 'Namespaced', shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'] }),
  resource({ group: '', version: 'v1', kind: 'Service', plural: 'services', scope: 'Namespaced', shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  resource({ group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', scope: 'Namespaced', shortNames: ['ep'] }),
  resource({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', scope: 'Cluster', shortNames: ['no'], subresources: ['status'] }),
  resource({ group: '', version: 'v1', kind: 'Event', plural: 'events', scope: 'Namespaced', shortNames: ['ev'] }),
  resource({ group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', scope: 'Namespaced', shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced', shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', scope: 'Namespaced', shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', scope: 'Namespaced' }),
  resource({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', scope: 'Namespaced' }),
  resource({ group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', scope: 'Namespaced', shortNames: ['cm'] }),
  resource({ group: '', version: 'v1', kind: 'Secret', plural: 'secrets', scope: 'Namespaced' }),
  resource({ group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', scope: 'Namespaced', shortNames: ['sa'], subresources: ['token'] }),
  resource({ group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', scope: 'Namespaced', shortNames: ['pvc'], subresources: ['status'] }),
  resource({ group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', scope: 'Cluster', shortNames: ['pv'], subresources: ['status'] }),
  resource({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', scope: 'Cluster', shortNames: ['sc'] }),
  resource({ group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', scope: 'Namespaced' }),
  resource({ group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', scope: 'Namespaced', shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  resource({ group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', scope: 'Namespaced', shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  resource({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', scope: 'Cluster', shortNames: ['pc'] }),
  resource({ group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', scope: 'Namespaced', categories: ['all'], subresources: ['status'] }),
  resource({ group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', scope: 'Namespaced', shortNames: ['cj'], categories: ['all'], subresources: ['status'] }),
  resource({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', scope: 'Namespaced', shortNames: ['ing'], subresources: ['status'] }),
  resource({ group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', scope: 'Cluster', shortNames: ['csr'], subresources: ['status', 'approval'] }),
  resource({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', scope: 'Namespaced', shortNames: ['pdb'], subresources: ['status'] }),
  resource({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', scope: 'Namespaced' }),
  resource({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', scope: 'Cluster' }),
  resource({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', scope: 'Namespaced' }),
  resource({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', scope: 'Cluster' }),
];

/**
 * The review APIs (authorization.k8s.io, authentication.k8s.io): create-only, never stored — a
 * POST answers with the request and its status. They are listed in discovery, so that `kubectl
 * api-resources` and `kubectl create -f` know them, but have no store, list or watch: their
 * routes are the API server's own (routes/access-reviews.ts, self-subject-review.ts, token-review.ts).
 */
export const REVIEW_RESOURCES: readonly ResourceInfo[] = [
  resource({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', scope: 'Cluster', verbs: ['create'] }),
  resource({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', scope: 'Cluster', verbs: ['create'] }),
  resource({ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', scope: 'Namespaced', verbs: ['create'] }),
  resource({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', scope: 'Cluster', verbs: ['create'] }),
  resource({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', scope: 'Cluster', verbs: ['create'] }),
  resource({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', scope: 'Cluster', verbs: ['create'] }),
];

/** SubjectAccessReview: may a user do something (what controllers ask, as kube-controller-manager's csrapproving does). */
export const SUBJECT_ACCESS_REVIEWS: ResourceInfo = REVIEW_RESOURCES.find((r) => r.kind === 'SubjectAccessReview')!;

/** `v1` for the core group, `apps/v1` otherwise. */
export function apiVersionOf(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

const byPlural = new Map(RESOURCES.map((r) => [`${r.group}/${r.plural}`, r]));
const byKind = new Map(RESOURCES.map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));

export function resourceByPlural(group: string, plural: string): ResourceInfo | undefined {
  return byPlural.get(`${group}/${plural}`);
}

export function resourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Groups in discovery order, each with its (single) version; of the stored resources unless others are given. */
export function apiGroups(resources: readonly ResourceInfo[] = RESOURCES): { group: string; version: string; resources: ResourceInfo[] }[] {
  const groups = new Map<string, { group: string; version: string; resources: ResourceInfo[] }>();
  for (const r of resources) {
    const g = groups.get(r.group) ?? { group: r.group, version: r.version, resources: [] };
    g.resources.push(r);
    groups.set(r.group, g);
  }
  return [...groups.values()];
}

function mustFind(group: string, plural: string): ResourceInfo {
  const r = byPlural.get(`${group}/${plural}`);
  if (!r) throw new Error(`resource ${group}/${plural} is not registered`);
  return r;
}

// Each resource by name, for code that addresses one: `client.get(PODS, 'default', 'web-1')`.
export const PODS = mustFind('', 'pods');
export const SERVICES = mustFind('', 'services');
export const ENDPOINTS = mustFind('', 'endpoints');
export const ENDPOINT_SLICES = mustFind('discovery.k8s.io', 'endpointslices');
export const NODES = mustFind('', 'nodes');
export const NAMESPACES = mustFind('', 'namespaces');
export const EVENTS = mustFind('', 'events');
export const REPLICATION_CONTROLLERS = mustFind('', 'replicationcontrollers');
export const DEPLOYMENTS = mustFind('apps', 'deployments');
export const REPLICA_SETS = mustFind('apps', 'replicasets');
export const LEASES = mustFind('coordination.k8s.io', 'leases');
export const CONFIG_MAPS = mustFind('', 'configmaps');
export const SECRETS = mustFind('', 'secrets');
export const SERVICE_ACCOUNTS = mustFind('', 'serviceaccounts');
export const PERSISTENT_VOLUME_CLAIMS = mustFind('', 'persistentvolumeclaims');
export const PERSISTENT_VOLUMES = mustFind('', 'persistentvolumes');
export const STORAGE_CLASSES = mustFind('storage.k8s.io', 'storageclasses');
export const CONTROLLER_REVISIONS = mustFind('apps', 'controllerrevisions');
export const DAEMON_SETS = mustFind('apps', 'daemonsets');
export const STATEFUL_SETS = mustFind('apps', 'statefulsets');
export const PRIORITY_CLASSES = mustFind('scheduling.k8s.io', 'priorityclasses');
export const JOBS = mustFind('batch', 'jobs');
export const CRON_JOBS = mustFind('batch', 'cronjobs');
export const POD_DISRUPTION_BUDGETS = mustFind('policy', 'poddisruptionbudgets');
export const INGRESSES = mustFind('networking.k8s.io', 'ingresses');
export const ROLES = mustFind('rbac.authorization.k8s.io', 'roles');
export const CLUSTER_ROLES = mustFind('rbac.authorization.k8s.io', 'clusterroles');
export const ROLE_BINDINGS = mustFind('rbac.authorization.k8s.io', 'rolebindings');
export const CLUSTER_ROLE_BINDINGS = mustFind('rbac.authorization.k8s.io', 'clusterrolebindings');
export const CERTIFICATE_SIGNING_REQUESTS = mustFind('certificates.k8s.io', 'certificatesigningrequests');
