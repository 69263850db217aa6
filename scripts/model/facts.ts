// Facts about Kubernetes 1.32's Go types that @kubernetes/client-node's generated models do not
// carry, so the model generator (scripts/gen-model.ts) adds them. Each entry names a client-node
// class and a field (its JSON name); the generator fails when one names a field that does not
// exist, so a stale entry cannot linger. Sources: the struct tags and comments in k8s.io/api and
// k8s.io/apimachinery v0.32 (`patchStrategy`, `patchMergeKey`, `resource.Quantity`, pointer or
// not). See docs/adr/0008-object-model.md.

/**
 * Fields whose Go type is resource.Quantity (alone or as the values of a ResourceList). client-node
 * inlines Quantity as a plain string, but the decoder must canonicalise it (`cpu: 1.5` reads back
 * as `1500m`), and OpenAPI names it.
 */
export const QUANTITY_FIELDS: readonly string[] = [
  'V1CSIStorageCapacity.capacity',
  'V1CSIStorageCapacity.maximumVolumeSize',
  'V1ContainerStatus.allocatedResources',
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1LimitRangeItem.default',
  'V1LimitRangeItem.defaultRequest',
  'V1LimitRangeItem.max',
  'V1LimitRangeItem.maxLimitRequestRatio',
  'V1LimitRangeItem.min',
  'V1NodeStatus.allocatable',
  'V1NodeStatus.capacity',
  'V1Overhead.podFixed',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeSpec.capacity',
  'V1PodSpec.overhead',
  'V1ResourceFieldSelector.divisor',
  'V1ResourceQuotaSpec.hard',
  'V1ResourceQuotaStatus.hard',
  'V1ResourceQuotaStatus.used',
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1alpha3BasicDevice.capacity',
  'V1beta1DeviceCapacity.value',
  'V2MetricTarget.averageValue',
  'V2MetricTarget.value',
  'V2MetricValueStatus.averageValue',
  'V2MetricValueStatus.value',
];

/**
 * Optional fields whose Go type is a struct, not a pointer: Go's encoder always writes them (an
 * empty one as `{}`), so a decoded object always has them. Besides these, every kind's
 * `metadata`, `spec` and `status`, and every template's `metadata` and `spec`, are such structs
 * (the generator adds those by rule). Fields in OpenAPI's `required` list are always present too.
 */
export const STRUCT_FIELDS: readonly string[] = [
  'V1Container.resources',
  'V1EphemeralContainer.resources',
  'V1DeploymentSpec.strategy',
  'CoreV1Event.source',
  'V1ServiceStatus.loadBalancer',
];

/**
 * Fields OpenAPI lists as required whose Go type is a pointer: when absent Go leaves them nil (and
 * writes `null`), so the decoder fills nothing.
 */
export const POINTER_FIELDS: readonly string[] = [
  'V1DaemonSetSpec.selector',
  'V1DeploymentSpec.selector',
  'V1ReplicaSetSpec.selector',
  'V1StatefulSetSpec.selector',
  'V1ScaleIOPersistentVolumeSource.secretRef',
  'V1ScaleIOVolumeSource.secretRef',
];

/**
 * Strategic-merge patch metadata: `merge:<key>` merges list elements by that field, `merge`
 * merges a list of scalars as a set, `retainKeys` (with or without merge) honours $retainKeys.
 * A list with no entry is atomic: a patch replaces it. kubectl reads these from OpenAPI
 * (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key), and the API server's strategic
 * merge patch and server-side apply read them from the model.
 */
export const PATCH_FIELDS: Readonly<Record<string, string>> = {
  'V1ObjectMeta.finalizers': 'merge',
  'V1ObjectMeta.ownerReferences': 'merge:uid',
  'V1PodSpec.volumes': 'merge,retainKeys:name',
  'V1PodSpec.initContainers': 'merge:name',
  'V1PodSpec.containers': 'merge:name',
  'V1PodSpec.ephemeralContainers': 'merge:name',
  'V1PodSpec.imagePullSecrets': 'merge:name',
  'V1PodSpec.hostAliases': 'merge:ip',
  'V1PodSpec.topologySpreadConstraints': 'merge:topologyKey',
  'V1PodSpec.schedulingGates': 'merge:name',
  'V1PodSpec.resourceClaims': 'merge,retainKeys:name',
  'V1Container.ports': 'merge:containerPort',
  'V1Container.env': 'merge:name',
  'V1Container.volumeMounts': 'merge:mountPath',
  'V1Container.volumeDevices': 'merge:devicePath',
  'V1EphemeralContainer.ports': 'merge:containerPort',
  'V1EphemeralContainer.env': 'merge:name',
  'V1EphemeralContainer.volumeMounts': 'merge:mountPath',
  'V1EphemeralContainer.volumeDevices': 'merge:devicePath',
  'V1PodStatus.conditions': 'merge:type',
  'V1PodStatus.podIPs': 'merge:ip',
  'V1PodStatus.hostIPs': 'merge:ip',
  'V1PodStatus.resourceClaimStatuses': 'merge,retainKeys:name',
  'V1ContainerStatus.volumeMounts': 'merge:mountPath',
  'V1ContainerStatus.allocatedResourcesStatus': 'merge:name',
  'V1NodeSpec.podCIDRs': 'merge',
  'V1NodeStatus.conditions': 'merge:type',
  'V1NodeStatus.addresses': 'merge:type',
  'V1ServiceSpec.ports': 'merge:port',
  'V1ServiceStatus.conditions': 'merge:type',
  'V1NamespaceStatus.conditions': 'merge:type',
  'V1PersistentVolumeClaimStatus.conditions': 'merge:type',
  'V1ReplicationControllerStatus.conditions': 'merge:type',
  'V1ServiceAccount.secrets': 'merge:name',
  'V1DeploymentSpec.strategy': 'retainKeys',
  'V1DeploymentStatus.conditions': 'merge:type',
  'V1ReplicaSetStatus.conditions': 'merge:type',
  'V1StatefulSetStatus.conditions': 'merge:type',
  'V1DaemonSetStatus.conditions': 'merge:type',
  'V1JobStatus.conditions': 'merge:type',
  'V2HorizontalPodAutoscalerStatus.conditions': 'merge:type',
  'V1PodDisruptionBudgetStatus.conditions': 'merge:type',
  'V1FlowSchemaStatus.conditions': 'merge:type',
  'V1PriorityLevelConfigurationStatus.conditions': 'merge:type',
  'V1ValidatingWebhookConfiguration.webhooks': 'merge:name',
  'V1MutatingWebhookConfiguration.webhooks': 'merge:name',
  'V1APIServiceStatus.conditions': 'merge:type',
  'V1CSINodeSpec.drivers': 'merge:name',
};

/**
 * Types of k8s.io/apimachinery's meta/v1 (and a few other apimachinery packages) that client-node
 * names like any other V1 type; their OpenAPI names live under io.k8s.apimachinery.
 */
export const APIMACHINERY_TYPES: Readonly<Record<string, string>> = {
  V1APIGroup: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup',
  V1APIGroupList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList',
  V1APIResource: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource',
  V1APIResourceList: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  V1APIVersions: 'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions',
  V1Condition: 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition',
  V1DeleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  V1GroupVersionForDiscovery: 'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery',
  V1LabelSelector: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  V1LabelSelectorRequirement: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
  V1ListMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
  V1ManagedFieldsEntry: 'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
  V1ObjectMeta: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  V1OwnerReference: 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  V1Preconditions: 'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions',
  V1ServerAddressByClientCIDR: 'io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR',
  V1Status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  V1StatusCause: 'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause',
  V1StatusDetails: 'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails',
  V1WatchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  VersionInfo: 'io.k8s.apimachinery.pkg.version.Info',
};

/**
 * Kinds whose client-node class is used by several API groups' operations (a subresource body);
 * the group that defines them.
 */
export const KIND_GROUPS: Readonly<Record<string, string>> = {
  V1Scale: 'autoscaling',
  V1Eviction: 'policy',
  V1Binding: '',
  AuthenticationV1TokenRequest: 'authentication.k8s.io',
};

/** Go package path segment of an API group, where it is not the group's first label. */
export const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  '': 'io.k8s.api.core',
  'internal.apiserver.k8s.io': 'io.k8s.api.apiserverinternal',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/** client-node's group prefixes for classes whose name two groups share. */
export const CLASS_PREFIX_GROUPS: Readonly<Record<string, string>> = {
  Admissionregistration: 'admissionregistration.k8s.io',
  Apiextensions: 'apiextensions.k8s.io',
  Apiregistration: 'apiregistration.k8s.io',
  Authentication: 'authentication.k8s.io',
  Core: '',
  Discovery: 'discovery.k8s.io',
  Events: 'events.k8s.io',
  Flowcontrol: 'flowcontrol.apiserver.k8s.io',
  Rbac: 'rbac.authorization.k8s.io',
  Storage: 'storage.k8s.io',
};
