// The default RBAC policy, as kube-apiserver's bootstrap policy
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) defines it for the kinds skiff serves, plus
// what skiff's own components need. Pure data; ./reconcile-policy.ts puts it in place at start.
//
// Where skiff's components differ from Kubernetes' (ADR 0018):
// - the controller manager runs every controller under ONE identity
//   (system:kube-controller-manager), not one ServiceAccount per controller, so its role is the
//   union of what those controllers need: read and change any object (the garbage collector and
//   namespace cleanup alone need that), and create the kinds controllers make;
// - the agent provisions node-local volumes (Kubernetes runs an external provisioner for that):
//   system:skiff:local-provisioner (create and delete volumes), bound to system:nodes;
//   NodeRestriction keeps each node to the volumes pinned to it, and the Node authorizer lets it
//   read only those and the volumes its pods' claims are bound to;
// - /cacerts (the CA download joining needs) is readable by anyone: system:skiff:ca-reader.
import type { PolicyRule } from '@skiff/api';

export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAP_LABEL = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...READ, ...WRITE];

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule {
  return resourceNames ? { apiGroups, resources, resourceNames, verbs } : { apiGroups, resources, verbs };
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { nonResourceURLs, verbs };
}

export interface DefaultClusterRole {
  name: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** admin, edit and view gather the rules of the ClusterRoles their selectors pick. */
  aggregateFrom?: string;
  /**
   * Rules an earlier skiff put in this role and no longer grants: reconciliation takes them out
   * where they stand exactly as skiff wrote them (a rule a user added stays, as ever).
   */
  retiredRules?: PolicyRule[];
}

export interface DefaultBinding {
  name: string;
  role: string;
  users?: string[];
  groups?: string[];
}

const EVENTS = [rule(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events'])];

export const DEFAULT_CLUSTER_ROLES: DefaultClusterRole[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  {
    name: 'system:discovery',
    rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  { name: 'system:public-info-viewer', rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  {
    name: 'system:basic-user',
    rules: [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])],
  },
  // For webhooks and authenticating proxies: ask who a token is (TokenReview) and what a user may do (SubjectAccessReview). Unbound, as in Kubernetes.
  { name: 'system:auth-delegator', rules: [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])] },
  { name: 'system:monitoring', rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/readyz', '/readyz/*'])] },
  // The user-facing roles: their rules come from the aggregate-to-* roles below (and any a user labels so).
  { name: 'admin', rules: [], aggregateFrom: 'admin' },
  { name: 'edit', rules: [], aggregateFrom: 'edit', labels: { [AGGREGATE_TO('admin')]: 'true' } },
  { name: 'view', rules: [], aggregateFrom: 'view', labels: { [AGGREGATE_TO('edit')]: 'true' } },
  {
    name: 'system:aggregate-to-admin',
    labels: { [AGGREGATE_TO('admin')]: 'true' },
    rules: [rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles'])],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: { [AGGREGATE_TO('edit')]: 'true' },
    rules: [
      rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [''], ['pods/eviction']),
      rule(WRITE, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(WRITE, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
      rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      rule(WRITE, ['policy'], ['poddisruptionbudgets']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: { [AGGREGATE_TO('view')]: 'true' },
    rules: [
      rule(READ, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      rule(READ, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      rule(READ, [''], ['namespaces']),
      rule(READ, ['discovery.k8s.io'], ['endpointslices']),
      rule(READ, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
      rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    ],
  },
  // Joining (issue 12 §3): a bootstrap token may ask for a node certificate; a node may renew its own.
  { name: 'system:node-bootstrapper', rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])] },
  // What the Node authorizer grants every node, also as a role (Kubernetes keeps it, unbound, for reference).
  { name: 'system:node', rules: [] },
  {
    name: 'system:node-proxier',
    rules: [rule(['list', 'watch'], [''], ['endpoints', 'services']), rule(READ, [''], ['nodes']), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']), ...EVENTS],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      ...EVENTS,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(READ, ['coordination.k8s.io'], ['leases']),
      rule(['delete', 'patch', 'update'], ['coordination.k8s.io'], ['leases'], ['skiff-scheduler']),
      rule(READ, [''], ['namespaces', 'nodes', 'persistentvolumeclaims', 'persistentvolumes', 'pods', 'replicationcontrollers', 'services']),
      rule(['delete'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['patch', 'update'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(READ, ['apps'], ['replicasets', 'statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, ['storage.k8s.io'], ['csinodes', 'storageclasses']),
      rule(READ, ['scheduling.k8s.io'], ['priorityclasses']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    name: 'system:kube-controller-manager',
    rules: [
      // Read everything; change and delete anything (garbage collector, namespace cleanup, status writers).
      rule(['delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['configmaps', 'endpoints', 'events', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'pods', 'serviceaccounts', 'serviceaccounts/token', 'pods/eviction', 'pods/binding', 'services']),
      rule(['create'], ['apps'], ['controllerrevisions', 'replicasets']),
      rule(['create'], ['batch'], ['jobs']),
      rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['create'], ['events.k8s.io'], ['events']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  {
    // Create and delete only: NodeRestriction keeps a node to the volumes pinned to it, and the
    // Node authorizer lets it read those and the ones its pods' claims are bound to.
    name: 'system:skiff:local-provisioner',
    rules: [rule(['create', 'delete'], [''], ['persistentvolumes']), rule(READ, ['storage.k8s.io'], ['storageclasses'])],
    // What it granted before: every node could read every volume.
    retiredRules: [rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes'])],
  },
  { name: 'system:skiff:ca-reader', rules: [urls(['get'], ['/cacerts'])] },
];

export const DEFAULT_CLUSTER_ROLE_BINDINGS: DefaultBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', groups: ['system:masters'] },
  { name: 'system:discovery', role: 'system:discovery', groups: ['system:authenticated'] },
  { name: 'system:basic-user', role: 'system:basic-user', groups: ['system:authenticated'] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', groups: ['system:authenticated', 'system:unauthenticated'] },
  { name: 'system:monitoring', role: 'system:monitoring', groups: ['system:monitoring'] },
  { name: 'system:node-proxier', role: 'system:node-proxier', users: ['system:kube-proxy'] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', users: ['system:kube-scheduler'] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', users: ['system:kube-controller-manager'] },
  { name: 'system:node-bootstrapper', role: 'system:node-bootstrapper', groups: ['system:bootstrappers'] },
  // What kubeadm binds for its token group: a bootstrap token's CSR may be auto-approved.
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', groups: ['system:bootstrappers'] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', groups: ['system:nodes'] },
  { name: 'system:skiff:local-provisioner', role: 'system:skiff:local-provisioner', groups: ['system:nodes'] },
  { name: 'system:skiff:ca-reader', role: 'system:skiff:ca-reader', groups: ['system:authenticated', 'system:unauthenticated'] },
];

/**
 * What the Node authorizer lets every node do beyond its graph (Kubernetes' NodeRules, for what
 * skiff's agent calls); NodeRestriction admission narrows the writes to the node's own objects.
 * Secrets, ConfigMaps, PVCs, ServiceAccounts and their tokens are not here: only the graph grants them.
 */
export const NODE_RULES: PolicyRule[] = [
  rule(READ, [''], ['endpoints', 'nodes', 'pods', 'services']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(['create', 'patch', 'update'], [''], ['nodes', 'nodes/status']),
  // The status of its pods, their deletion, and skiff's host-ports annotation (NodeRestriction checks each).
  rule(['delete', 'patch', 'update'], [''], ['pods']),
  rule(['patch', 'update'], [''], ['pods/status']),
  ...EVENTS,
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
];
DEFAULT_CLUSTER_ROLES.find((r) => r.name === 'system:node')!.rules = NODE_RULES;
