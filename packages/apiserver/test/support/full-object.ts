// Builds an object of a kind with every field of the object model set, by walking the model
// (@skiff/api's k8s-1.32.json), for the round-trip test. Values are chosen to pass Kubernetes'
// validation: a generic value per field type, and a value of its own for the fields validation
// constrains (enums, names that are references, numbers in a range). Where Kubernetes allows only
// one member of a type at a time (a volume's source, a probe's handler), a list gets one element
// per member and a single value takes member number `variant`, so a few variants cover them all.

import { modelType, modelTypeIdOf, PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '@skiff/api';
import type { CronJobSpec, DaemonSetSpec, DeploymentSpec, EndpointSlice, JobSpec, KubeObject, PodDisruptionBudgetSpec, PodSpec, ReplicaSetSpec, ReplicationControllerSpec, StatefulSetSpec } from '@skiff/api';

type Json = unknown;

/** Types of which Kubernetes allows one member at a time (besides the fields listed as common). */
const ONE_OF: Record<string, { common: string[] }> = {
  'io.k8s.api.core.v1.Volume': { common: ['name'] },
  'io.k8s.api.core.v1.VolumeProjection': { common: [] },
  'io.k8s.api.core.v1.Probe': { common: ['failureThreshold', 'initialDelaySeconds', 'periodSeconds', 'successThreshold', 'terminationGracePeriodSeconds', 'timeoutSeconds'] },
  'io.k8s.api.core.v1.LifecycleHandler': { common: [] },
  'io.k8s.api.core.v1.EnvVarSource': { common: [] },
  'io.k8s.api.core.v1.EnvFromSource': { common: ['prefix'] },
  'io.k8s.api.core.v1.DownwardAPIVolumeFile': { common: ['path', 'mode'] },
  'io.k8s.api.core.v1.ContainerState': { common: [] },
  // An Ingress backend is a service or a resource; a service's port a name or a number.
  'io.k8s.api.networking.v1.IngressBackend': { common: [] },
  'io.k8s.api.networking.v1.ServiceBackendPort': { common: [] },
  // A PersistentVolume has exactly one volume source.
  'io.k8s.api.core.v1.PersistentVolumeSpec': {
    common: ['accessModes', 'capacity', 'claimRef', 'mountOptions', 'nodeAffinity', 'persistentVolumeReclaimPolicy', 'storageClassName', 'volumeAttributesClassName', 'volumeMode'],
  },
};

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/**
 * Values for fields validation constrains, by `Type.field`. A function gets the variant. Fields
 * mapped to `undefined` are left out, with the reason beside them.
 */
const VALUES: Record<string, Json | ((variant: number) => Json)> = {
  // Set by the server, or by the client only on updates.
  [`${META}ObjectMeta.uid`]: undefined,
  [`${META}ObjectMeta.resourceVersion`]: undefined,
  [`${META}ObjectMeta.generation`]: undefined,
  [`${META}ObjectMeta.creationTimestamp`]: undefined,
  [`${META}ObjectMeta.deletionTimestamp`]: undefined,
  [`${META}ObjectMeta.deletionGracePeriodSeconds`]: undefined,
  [`${META}ObjectMeta.selfLink`]: undefined,
  [`${META}ObjectMeta.managedFields`]: undefined,
  [`${META}ObjectMeta.generateName`]: undefined,
  [`${META}ObjectMeta.namespace`]: undefined,
  [`${META}ObjectMeta.name`]: undefined,
  [`${META}ObjectMeta.finalizers`]: ['example.com/keep'],
  [`${META}ObjectMeta.labels`]: { app: 'full' },
  [`${META}OwnerReference.apiVersion`]: 'v1',
  [`${META}OwnerReference.kind`]: 'ConfigMap',
  [`${META}OwnerReference.uid`]: '0d2f5bde-0000-4000-8000-000000000001',
  [`${META}OwnerReference.controller`]: false,
  [`${META}LabelSelector.matchLabels`]: { app: 'full' },
  [`${META}LabelSelector.matchExpressions`]: [{ key: 'app', operator: 'In', values: ['full'] }],
  // Pod spec
  [`${CORE}PodSpec.restartPolicy`]: 'Always',
  [`${CORE}PodSpec.dnsPolicy`]: 'ClusterFirst',
  [`${CORE}PodSpec.preemptionPolicy`]: 'PreemptLowerPriority',
  // Priority admission: the class must exist and the value must be the class's.
  [`${CORE}PodSpec.priorityClassName`]: 'system-cluster-critical',
  [`${CORE}PodSpec.priority`]: 2_000_000_000,
  [`${CORE}PodSpec.hostNetwork`]: false,
  [`${CORE}PodSpec.nodeName`]: 'node-a',
  [`${CORE}PodSpec.hostname`]: 'full',
  [`${CORE}PodSpec.subdomain`]: 'full',
  [`${CORE}PodSpec.activeDeadlineSeconds`]: 600,
  [`${CORE}PodSpec.terminationGracePeriodSeconds`]: 30,
  [`${CORE}PodSpec.ephemeralContainers`]: undefined, // only through the ephemeralcontainers subresource
  [`${CORE}Container.restartPolicy`]: undefined, // init containers only: set there below
  [`${CORE}Container.imagePullPolicy`]: 'IfNotPresent',
  [`${CORE}Container.terminationMessagePolicy`]: 'File',
  [`${CORE}Container.image`]: 'skiff/busybox:1',
  [`${CORE}Container.volumeMounts`]: [{ name: 'v0', mountPath: '/data', readOnly: true, subPath: 'sub', mountPropagation: 'None' }],
  [`${CORE}Container.resources`]: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '128Mi' } },
  [`${CORE}ContainerPort.containerPort`]: 8080,
  [`${CORE}ContainerPort.hostPort`]: 18080,
  [`${CORE}ContainerPort.protocol`]: 'TCP',
  [`${CORE}ContainerPort.name`]: 'http',
  [`${CORE}Probe.successThreshold`]: 1,
  [`${CORE}HTTPGetAction.port`]: 8080,
  [`${CORE}HTTPGetAction.scheme`]: 'HTTP',
  [`${CORE}HTTPGetAction.path`]: '/healthz',
  [`${CORE}TCPSocketAction.port`]: 8080,
  [`${CORE}GRPCAction.port`]: 9090,
  [`${CORE}ObjectFieldSelector.fieldPath`]: 'metadata.name',
  [`${CORE}ObjectFieldSelector.apiVersion`]: 'v1',
  [`${CORE}ResourceFieldSelector.resource`]: 'limits.cpu',
  [`${CORE}ResourceFieldSelector.containerName`]: 'c',
  [`${CORE}EnvVar.value`]: undefined, // exclusive with valueFrom
  [`${CORE}EnvVar.name`]: 'FULL_ENV',
  [`${CORE}EnvFromSource.prefix`]: 'FULL_',
  [`${CORE}Toleration.operator`]: 'Equal',
  [`${CORE}Toleration.effect`]: 'NoExecute',
  [`${CORE}Toleration.key`]: 'example.com/taint',
  [`${CORE}NodeSelectorRequirement.operator`]: 'In',
  [`${CORE}NodeSelectorRequirement.key`]: 'kubernetes.io/hostname',
  [`${CORE}NodeSelectorRequirement.values`]: ['node-a'],
  [`${CORE}NodeSelectorTerm.matchFields`]: [{ key: 'metadata.name', operator: 'In', values: ['node-a'] }],
  [`${CORE}PreferredSchedulingTerm.weight`]: 10,
  [`${CORE}WeightedPodAffinityTerm.weight`]: 10,
  [`${CORE}EndpointAddress.ip`]: '10.1.2.3',
  [`${CORE}EndpointPort.protocol`]: 'TCP',
  [`${CORE}EndpointPort.port`]: 8080,
  [`${CORE}EndpointPort.name`]: 'http',
  [`${CORE}NamespaceSpec.finalizers`]: ['kubernetes'],
  [`${CORE}NodeSpec.podCIDRs`]: ['10.244.1.0/24'],
  [`${CORE}NodeSpec.podCIDR`]: '10.244.1.0/24',
  [`${CORE}Taint.effect`]: 'NoSchedule',
  [`${CORE}Taint.key`]: 'example.com/taint',
  [`${CORE}ReplicationControllerSpec.selector`]: { app: 'full' },
  [`${CORE}ServiceSpec.type`]: 'LoadBalancer',
  [`${CORE}ServiceSpec.clusterIP`]: undefined, // allocated by the server
  [`${CORE}ServiceSpec.clusterIPs`]: undefined, // allocated by the server
  [`${CORE}ServiceSpec.externalName`]: undefined, // type ExternalName only
  [`${CORE}ServiceSpec.externalIPs`]: ['10.9.8.8'],
  [`${CORE}ServiceSpec.loadBalancerIP`]: '10.9.8.7',
  [`${CORE}ServiceSpec.loadBalancerSourceRanges`]: ['10.0.0.0/8'],
  [`${CORE}ServiceSpec.loadBalancerClass`]: 'example.com/lb',
  [`${CORE}ServiceSpec.sessionAffinity`]: 'ClientIP',
  [`${CORE}ServiceSpec.externalTrafficPolicy`]: 'Local',
  [`${CORE}ServiceSpec.internalTrafficPolicy`]: 'Cluster',
  [`${CORE}ServiceSpec.ipFamilies`]: ['IPv4'],
  [`${CORE}ServiceSpec.ipFamilyPolicy`]: 'SingleStack',
  [`${CORE}ServiceSpec.trafficDistribution`]: 'PreferClose',
  [`${CORE}ServiceSpec.healthCheckNodePort`]: (variant: number) => 30081 + 2 * variant,
  [`${CORE}ServiceSpec.selector`]: { app: 'full' },
  [`${CORE}ClientIPConfig.timeoutSeconds`]: 10800,
  [`${CORE}ServicePort.protocol`]: 'TCP',
  [`${CORE}ServicePort.port`]: 80,
  [`${CORE}ServicePort.targetPort`]: 8080,
  [`${CORE}ServicePort.nodePort`]: (variant: number) => 30080 + 2 * variant,
  [`${CORE}ServicePort.name`]: 'http',
  [`${CORE}ServicePort.appProtocol`]: 'http',
  [`${CORE}HostPathVolumeSource.type`]: 'DirectoryOrCreate',
  [`${CORE}HostPathVolumeSource.path`]: '/tmp/full',
  [`${CORE}KeyToPath.mode`]: 0o644,
  [`${CORE}KeyToPath.path`]: 'file',
  [`${CORE}DownwardAPIVolumeFile.mode`]: 0o644,
  [`${CORE}DownwardAPIVolumeFile.path`]: 'labels',
  [`${CORE}ConfigMapVolumeSource.defaultMode`]: 0o644,
  [`${CORE}SecretVolumeSource.defaultMode`]: 0o644,
  [`${CORE}DownwardAPIVolumeSource.defaultMode`]: 0o644,
  [`${CORE}ProjectedVolumeSource.defaultMode`]: 0o644,
  [`${CORE}EmptyDirVolumeSource.medium`]: 'Memory',
  [`${CORE}EmptyDirVolumeSource.sizeLimit`]: '64Mi',
  [`${CORE}ServiceAccountTokenProjection.path`]: 'token',
  [`${CORE}ServiceAccountTokenProjection.expirationSeconds`]: 3600,
  [`${CORE}ClusterTrustBundleProjection.path`]: 'bundle',
  [`${CORE}ClusterTrustBundleProjection.name`]: undefined, // exclusive with signerName
  [`${CORE}ClusterTrustBundleProjection.signerName`]: 'example.com/signer',
  // ConfigMaps and Secrets: keys are file names; stringData is write-only (merged into data,
  // never returned: config-storage.int.test.ts covers it).
  [`${CORE}ConfigMap.data`]: { 'app.conf': 'full' },
  [`${CORE}ConfigMap.binaryData`]: { 'blob.bin': 'aGVsbG8=' },
  [`${CORE}Secret.data`]: { 'password.txt': 'aGVsbG8=' },
  [`${CORE}Secret.stringData`]: undefined,
  [`${CORE}Secret.type`]: 'Opaque',
  // Storage
  [`${CORE}PersistentVolumeClaimSpec.accessModes`]: ['ReadWriteOnce'],
  [`${CORE}PersistentVolumeClaimSpec.volumeMode`]: 'Filesystem',
  [`${CORE}PersistentVolumeClaimSpec.dataSource`]: { kind: 'PersistentVolumeClaim', name: 'source' },
  [`${CORE}PersistentVolumeClaimSpec.dataSourceRef`]: { kind: 'PersistentVolumeClaim', name: 'source' },
  [`${CORE}VolumeResourceRequirements.requests`]: { storage: '1Gi' },
  [`${CORE}VolumeResourceRequirements.limits`]: { storage: '2Gi' },
  [`${CORE}PersistentVolumeSpec.accessModes`]: ['ReadWriteOnce'],
  [`${CORE}PersistentVolumeSpec.capacity`]: { storage: '1Gi' },
  [`${CORE}PersistentVolumeSpec.persistentVolumeReclaimPolicy`]: 'Retain',
  [`${CORE}PersistentVolumeSpec.volumeMode`]: 'Filesystem',
  [`${CORE}NFSVolumeSource.path`]: '/exports/full',
  'io.k8s.api.storage.v1.StorageClass.reclaimPolicy': 'Delete',
  'io.k8s.api.storage.v1.StorageClass.volumeBindingMode': 'WaitForFirstConsumer',
  // Only one class may be the global default, and every variant is created.
  // RBAC: a binding names a ClusterRole (valid for both kinds of binding) and a User subject.
  'io.k8s.api.rbac.v1.RoleRef.apiGroup': 'rbac.authorization.k8s.io',
  'io.k8s.api.rbac.v1.RoleRef.kind': 'ClusterRole',
  'io.k8s.api.rbac.v1.Subject.apiGroup': 'rbac.authorization.k8s.io',
  'io.k8s.api.rbac.v1.Subject.kind': 'User',
  // A rule is for resources or for non-resource URLs, never both, and a Role's never for URLs:
  // non-resource rules round-trip in test/authorization.int.test.ts (system:discovery).
  'io.k8s.api.rbac.v1.PolicyRule.nonResourceURLs': undefined,
  // With an aggregationRule set, a ClusterRole's rules are the aggregation's (the API server
  // rewrites them from the roles its selectors pick): rules round-trip through Role.
  'io.k8s.api.rbac.v1.ClusterRole.rules': undefined,
  'io.k8s.api.scheduling.v1.PriorityClass.globalDefault': false,
  'io.k8s.api.scheduling.v1.PriorityClass.value': 1000,
  'io.k8s.api.scheduling.v1.PriorityClass.preemptionPolicy': 'Never',
  // EndpointSlices, DaemonSets and StatefulSets: their enums.
  'io.k8s.api.discovery.v1.EndpointSlice.addressType': 'IPv4',
  'io.k8s.api.discovery.v1.EndpointPort.protocol': 'TCP',
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy.type': 'RollingUpdate',
  'io.k8s.api.apps.v1.StatefulSetSpec.podManagementPolicy': 'OrderedReady',
  'io.k8s.api.apps.v1.StatefulSetUpdateStrategy.type': 'RollingUpdate',
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy.whenDeleted': 'Retain',
  'io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy.whenScaled': 'Delete',
  // Ingresses: hosts are DNS names (TLS ones may be wildcards), paths absolute with a type.
  'io.k8s.api.networking.v1.IngressRule.host': 'full.example.com',
  'io.k8s.api.networking.v1.IngressTLS.hosts': ['*.example.com'],
  'io.k8s.api.networking.v1.HTTPIngressPath.path': '/full',
  'io.k8s.api.networking.v1.HTTPIngressPath.pathType': 'Prefix',
  'io.k8s.api.networking.v1.ServiceBackendPort.name': 'http',
  'io.k8s.api.networking.v1.ServiceBackendPort.number': 80,
  'io.k8s.api.networking.v1.IngressLoadBalancerIngress.ip': '192.0.2.10',
  'io.k8s.api.networking.v1.IngressLoadBalancerIngress.hostname': 'lb.example.com',
  'io.k8s.api.networking.v1.IngressPortStatus.protocol': 'TCP',
  // A CSR carries a real PKCS#10 request (CN full, O full; signed by its key); the requester's
  // name, uid, groups and extra are the server's to set; a certificate only on an approved request
  // (approval is its own subresource: e2e/join covers it), so the round trip sends a Failed condition.
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.request': 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIWk1JR0FBZ0VBTUI0eERUQUxCZ05WQkFNVEJHWjFiR3d4RFRBTEJnTlZCQW9UQkdaMWJHd3dXVEFUQmdjcQpoa2pPUFFJQkJnZ3Foa2pPUFFNQkJ3TkNBQVFpRmRXa2xmQis0cEVaT2JkdUJMbWhvZkduMkhKNERrVWpNUkZYCjBZUW1vd1FpUUVCZFZwWWJGUFJES29TQkIxMk5mZ0l6SHE4Y1hqQ1V3aTJ2UmJZVG9BQXdDZ1lJS29aSXpqMEUKQXdJRFNBQXdSUUloQU00aElYT0ZmL2haa2RrWXBQRWN4cERjblhQdy9Ea1VxcDRpRzBCRDBiNEhBaUFPNWxyRworcDNES2RZSUk2RC95enM2VlBlQ2RSWGhpVmZuY2tXUlF1ZFc0QT09Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQ==',
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.signerName': 'example.com/full',
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.usages': ['client auth'],
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.expirationSeconds': 3600,
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.username': undefined,
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.uid': undefined,
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.groups': undefined,
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.extra': undefined,
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus.certificate': undefined,
  'io.k8s.api.certificates.v1.CertificateSigningRequestCondition.type': 'Failed',
  'io.k8s.api.certificates.v1.CertificateSigningRequestCondition.status': 'True',
};

/** Rules between fields of one object, applied after it is built. */
/** A fix-up of one model type, given the object built so far: complete, so its fields are there. */
const fix = <T>(fn: (o: Required<T>) => void) => fn as unknown as (o: Record<string, Json>) => void;

const FIXUPS: Record<string, (o: Record<string, Json>) => void> = {
  [`${CORE}PodSpec`]: fix<PodSpec>((spec) => {
    spec.containers[0].name = 'c';
    // An init container may have probes and lifecycle hooks only as a sidecar (restartPolicy Always).
    spec.initContainers[0].name = 'init';
    spec.initContainers[0].restartPolicy = 'Always';
    // terminationGracePeriodSeconds is for liveness and startup probes only.
    for (const c of [...spec.containers, ...spec.initContainers]) delete c.readinessProbe?.terminationGracePeriodSeconds;
  }),
  'io.k8s.api.apps.v1.DeploymentSpec': fix<DeploymentSpec>((spec) => {
    spec.minReadySeconds = 5;
    spec.progressDeadlineSeconds = 600;
    spec.strategy.type = 'RollingUpdate';
    // A ReplicaSet's pods run until replaced: Kubernetes forbids a deadline in its template.
    delete spec.template.spec.activeDeadlineSeconds;
  }),
  'io.k8s.api.apps.v1.ReplicaSetSpec': fix<ReplicaSetSpec>((spec) => {
    delete spec.template.spec.activeDeadlineSeconds;
  }),
  // Daemon and stateful pods run until replaced too.
  'io.k8s.api.apps.v1.DaemonSetSpec': fix<DaemonSetSpec>((spec) => {
    delete spec.template.spec.activeDeadlineSeconds;
    // maxSurge only with maxUnavailable 0 (a daemon pod per node: surge or unavailability, not both).
    spec.updateStrategy.rollingUpdate = { ...spec.updateStrategy.rollingUpdate, maxUnavailable: 0 };
  }),
  'io.k8s.api.discovery.v1.EndpointSlice': fix<EndpointSlice>((slice) => {
    for (const e of slice.endpoints ?? []) e.addresses = ['10.244.1.7'];
  }),
  'io.k8s.api.apps.v1.StatefulSetSpec': fix<StatefulSetSpec>((spec) => {
    delete spec.template.spec.activeDeadlineSeconds;
    // Each claim template needs a name (the claims are NAME-POD).
    for (const t of spec.volumeClaimTemplates ?? []) t.metadata = { ...t.metadata, name: 'data' };
  }),
  [`${CORE}ReplicationControllerSpec`]: fix<ReplicationControllerSpec>((spec) => {
    if (spec.template) delete spec.template.spec.activeDeadlineSeconds;
  }),
  // A Job's pods run to completion; a podFailurePolicy rule has one kind of requirement and wants
  // restartPolicy Never and podReplacementPolicy Failed; backoffLimitPerIndex wants Indexed mode;
  // a successPolicy rule names indexes below completions, and no more of them than it counts.
  'io.k8s.api.batch.v1.JobSpec': fix<JobSpec>((spec) => {
    spec.successPolicy = { rules: [{ succeededIndexes: '0-1', succeededCount: 1 }] };
    spec.template.spec.restartPolicy = 'Never';
    spec.completionMode = 'Indexed';
    spec.completions = 2;
    spec.parallelism = 2;
    spec.podReplacementPolicy = 'Failed';
    spec.podFailurePolicy = {
      rules: [
        { action: 'FailIndex', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ],
    };
  }),
  // A budget sets one of minAvailable and maxUnavailable.
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': fix<PodDisruptionBudgetSpec>((spec) => {
    spec.minAvailable = '50%';
    delete (spec as PodDisruptionBudgetSpec).maxUnavailable;
    spec.unhealthyPodEvictionPolicy = 'AlwaysAllow';
  }),
  'io.k8s.api.batch.v1.CronJobSpec': fix<CronJobSpec>((spec) => {
    spec.schedule = '*/5 * * * *';
    spec.timeZone = 'Etc/UTC';
    spec.concurrencyPolicy = 'Forbid';
    // The Jobs a CronJob makes get generated selectors.
    if (spec.jobTemplate.spec) {
      delete spec.jobTemplate.spec.selector;
      delete spec.jobTemplate.spec.manualSelector;
    }
  }),
};

/** Everything `build` needs to know where it is. */
interface Walk {
  variant: number;
  /** Index to make names unique (volumes v0, v1, ...). */
  counter: { n: number };
}

function scalar(ref: string): Json {
  switch (ref) {
    case 'string':
      return 'full';
    case 'int32':
    case 'int64':
      return 1;
    case 'double':
      return 1.5;
    case 'boolean':
      return true;
    case 'date-time':
      return '2024-01-02T03:04:05Z';
    case 'date-time-micro':
      return '2024-01-02T03:04:05.123456Z';
    case 'byte':
      return 'aGVsbG8=';
    case 'quantity':
      return '1';
    case 'int-or-string':
      return '25%';
    case 'any':
      return { any: 'value' };
    default:
      return undefined;
  }
}

function value(ref: string, w: Walk, depth: number): Json {
  if (ref.startsWith('[]')) {
    const inner = ref.slice(2);
    const one = ONE_OF[inner];
    if (one) {
      // One element per member, so every member appears once.
      const members = Object.keys(modelType(inner)!.props).filter((p) => !one.common.includes(p));
      return members.map((_, i) => object(inner, { ...w, variant: i }, depth + 1));
    }
    const v = value(inner, w, depth + 1);
    return v === undefined ? [] : [v];
  }
  if (ref.startsWith('{}')) {
    const inner = ref.slice(2);
    const v = value(inner, w, depth + 1);
    const key = inner === 'quantity' ? 'cpu' : 'example.com/key';
    return v === undefined ? {} : { [key]: v };
  }
  const s = scalar(ref);
  if (s !== undefined) return s;
  return depth > 12 ? undefined : object(ref, w, depth + 1);
}

function object(id: string, w: Walk, depth: number): Record<string, Json> {
  const def = modelType(id)!;
  const one = ONE_OF[id];
  const members = one ? Object.keys(def.props).filter((p) => !one.common.includes(p)) : [];
  const chosen = one ? members[w.variant % members.length] : undefined;
  const out: Record<string, Json> = {};
  for (const [field, ref] of Object.entries(def.props)) {
    if (one && !one.common.includes(field) && field !== chosen) continue;
    const key = `${id}.${field}`;
    let v: Json;
    if (Object.hasOwn(VALUES, key)) {
      const given = VALUES[key];
      v = typeof given === 'function' ? (given as (n: number) => Json)(w.variant) : structuredClone(given);
    } else {
      v = value(ref, w, depth);
    }
    if (v !== undefined) out[field] = v;
  }
  if (id === `${CORE}Volume`) out.name = `v${w.variant}`;
  FIXUPS[id]?.(out);
  return out;
}

const PROTECTION_FINALIZERS: Record<string, string> = { PersistentVolumeClaim: PVC_PROTECTION_FINALIZER, PersistentVolume: PV_PROTECTION_FINALIZER };

/** A `kind` object named `name` with every field of the model set (variant picks one-of members). */
export function fullObject(gvk: { group: string; version: string; kind: string }, name: string, variant = 0): KubeObject {
  const id = modelTypeIdOf(gvk);
  if (!id) throw new Error(`no model type for ${gvk.kind}`);
  const obj = object(id, { variant, counter: { n: 0 } }, 0);
  obj.apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  obj.kind = gvk.kind;
  (obj.metadata as Record<string, unknown>).name = name;
  // The finalizer the API server adds to every claim and volume (StorageObjectInUseProtection)
  // is sent along, as a default would be: the round trip compares what was sent.
  const protectedBy = PROTECTION_FINALIZERS[gvk.kind];
  if (protectedBy) (obj.metadata as { finalizers: string[] }).finalizers.push(protectedBy);
  return obj as KubeObject; // apiVersion, kind and metadata are set above
}
