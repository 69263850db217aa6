// core/v1 Pod: containers, probes, scheduling constraints, volumes and the full PodStatus.
// Only the fields skiff acts on or shows are modelled; unknown fields are dropped on decode
// (and reported by findUnknownFields for fieldValidation=Strict), as Kubernetes does.

import { z } from 'zod';
import {
  CORE_V1,
  IntOrStringSchema,
  kobj,
  gvk,
  obool,
  oint32,
  oint64,
  ostr,
  ostrmap,
  ostrs,
  QuantitySchema,
  ResourceListSchema,
  TimeSchema,
} from './common.ts';
import { ObjectMetaSchema, listOf } from './meta.ts';

export const ObjectFieldSelectorSchema = kobj(
  `${CORE_V1}.ObjectFieldSelector`,
  { apiVersion: ostr(), fieldPath: z.string() },
  { description: 'ObjectFieldSelector selects an APIVersioned field of an object.', required: ['fieldPath'] },
);

export const ResourceFieldSelectorSchema = kobj(
  `${CORE_V1}.ResourceFieldSelector`,
  { containerName: ostr(), resource: z.string(), divisor: QuantitySchema.optional() },
  { description: 'ResourceFieldSelector represents container resources (cpu, memory) and their output format.', required: ['resource'] },
);

export const KeySelectorSchema = (id: string) =>
  kobj(`${CORE_V1}.${id}`, { name: ostr(), key: z.string(), optional: obool() }, { required: ['key'] });
export const ConfigMapKeySelectorSchema = KeySelectorSchema('ConfigMapKeySelector');
export const SecretKeySelectorSchema = KeySelectorSchema('SecretKeySelector');

export const EnvVarSourceSchema = kobj(
  `${CORE_V1}.EnvVarSource`,
  {
    fieldRef: ObjectFieldSelectorSchema.optional(),
    resourceFieldRef: ResourceFieldSelectorSchema.optional(),
    configMapKeyRef: ConfigMapKeySelectorSchema.optional(),
    secretKeyRef: SecretKeySelectorSchema.optional(),
  },
  { description: 'EnvVarSource represents a source for the value of an EnvVar.' },
);

export const EnvVarSchema = kobj(
  `${CORE_V1}.EnvVar`,
  { name: z.string(), value: ostr(), valueFrom: EnvVarSourceSchema.optional() },
  { description: 'EnvVar represents an environment variable present in a Container.', required: ['name'] },
);

export const ContainerPortSchema = kobj(
  `${CORE_V1}.ContainerPort`,
  { name: ostr(), hostPort: oint32(), containerPort: z.int32(), protocol: ostr(), hostIP: ostr() },
  {
    description: 'ContainerPort represents a network port in a single container.',
    required: ['containerPort'],
    fields: {
      containerPort: 'Number of port to expose on the pod\'s IP address. This must be a valid port number, 0 < x < 65536.',
      protocol: 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".',
      hostPort: 'Number of port to expose on the host. Most containers do not need this.',
    },
  },
);

export const ResourceRequirementsSchema = kobj(
  `${CORE_V1}.ResourceRequirements`,
  { limits: ResourceListSchema.optional(), requests: ResourceListSchema.optional() },
  {
    description: 'ResourceRequirements describes the compute resource requirements.',
    fields: {
      limits: 'Limits describes the maximum amount of compute resources allowed.',
      requests: 'Requests describes the minimum amount of compute resources required. Defaults to Limits if omitted.',
    },
  },
);

export const HTTPHeaderSchema = kobj(`${CORE_V1}.HTTPHeader`, { name: z.string(), value: z.string() }, { required: ['name', 'value'] });

export const HTTPGetActionSchema = kobj(
  `${CORE_V1}.HTTPGetAction`,
  { path: ostr(), port: IntOrStringSchema, host: ostr(), scheme: ostr(), httpHeaders: z.array(HTTPHeaderSchema).optional() },
  { description: 'HTTPGetAction describes an action based on HTTP Get requests.', required: ['port'] },
);

export const TCPSocketActionSchema = kobj(
  `${CORE_V1}.TCPSocketAction`,
  { port: IntOrStringSchema, host: ostr() },
  { description: 'TCPSocketAction describes an action based on opening a socket', required: ['port'] },
);

export const ExecActionSchema = kobj(`${CORE_V1}.ExecAction`, { command: ostrs() }, { description: 'ExecAction describes a "run in container" action.' });

export const GRPCActionSchema = kobj(`${CORE_V1}.GRPCAction`, { port: z.int32(), service: ostr() }, { required: ['port'] });

export const ProbeSchema = kobj(
  `${CORE_V1}.Probe`,
  {
    exec: ExecActionSchema.optional(),
    httpGet: HTTPGetActionSchema.optional(),
    tcpSocket: TCPSocketActionSchema.optional(),
    grpc: GRPCActionSchema.optional(),
    initialDelaySeconds: oint32(),
    timeoutSeconds: oint32(),
    periodSeconds: oint32(),
    successThreshold: oint32(),
    failureThreshold: oint32(),
    terminationGracePeriodSeconds: oint64(),
  },
  {
    description: 'Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.',
    fields: {
      periodSeconds: 'How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.',
      timeoutSeconds: 'Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1.',
      successThreshold: 'Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1.',
      failureThreshold: 'Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3.',
      initialDelaySeconds: 'Number of seconds after the container has started before probes are initiated.',
    },
  },
);

export const LifecycleHandlerSchema = kobj(`${CORE_V1}.LifecycleHandler`, {
  exec: ExecActionSchema.optional(),
  httpGet: HTTPGetActionSchema.optional(),
  tcpSocket: TCPSocketActionSchema.optional(),
  sleep: kobj(`${CORE_V1}.SleepAction`, { seconds: z.int() }, { required: ['seconds'] }).optional(),
});

export const LifecycleSchema = kobj(`${CORE_V1}.Lifecycle`, {
  postStart: LifecycleHandlerSchema.optional(),
  preStop: LifecycleHandlerSchema.optional(),
});

export const VolumeMountSchema = kobj(
  `${CORE_V1}.VolumeMount`,
  { name: z.string(), readOnly: obool(), mountPath: z.string(), subPath: ostr(), mountPropagation: ostr(), subPathExpr: ostr() },
  { description: 'VolumeMount describes a mounting of a Volume within a container.', required: ['name', 'mountPath'] },
);

export const SecurityContextSchema = kobj(`${CORE_V1}.SecurityContext`, {
  privileged: obool(),
  runAsUser: oint64(),
  runAsGroup: oint64(),
  runAsNonRoot: obool(),
  readOnlyRootFilesystem: obool(),
  allowPrivilegeEscalation: obool(),
  capabilities: kobj(`${CORE_V1}.Capabilities`, { add: ostrs(), drop: ostrs() }).optional(),
});

const containerFields = {
  name: z.string(),
  image: ostr(),
  command: ostrs(),
  args: ostrs(),
  workingDir: ostr(),
  ports: z.array(ContainerPortSchema).optional(),
  env: z.array(EnvVarSchema).optional(),
  resources: ResourceRequirementsSchema,
  restartPolicy: ostr(),
  volumeMounts: z.array(VolumeMountSchema).optional(),
  livenessProbe: ProbeSchema.optional(),
  readinessProbe: ProbeSchema.optional(),
  startupProbe: ProbeSchema.optional(),
  lifecycle: LifecycleSchema.optional(),
  terminationMessagePath: ostr(),
  terminationMessagePolicy: ostr(),
  imagePullPolicy: ostr(),
  securityContext: SecurityContextSchema.optional(),
  stdin: obool(),
  stdinOnce: obool(),
  tty: obool(),
};

export const ContainerSchema = kobj(`${CORE_V1}.Container`, containerFields, {
  description: 'A single application container that you want to run within a pod.',
  required: ['name'],
  fields: {
    name: 'Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name. Cannot be updated.',
    image: 'Container image name.',
    command: "Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided.",
    args: "Arguments to the entrypoint. The container image's CMD is used if this is not provided.",
    imagePullPolicy: 'Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.',
    ports: 'List of ports to expose from the container.',
    resources: 'Compute Resources required by this container.',
    livenessProbe: 'Periodic probe of container liveness. Container will be restarted if the probe fails.',
    readinessProbe: 'Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails.',
    startupProbe: 'StartupProbe indicates that the Pod has successfully initialized.',
  },
});

export const NodeSelectorRequirementSchema = kobj(
  `${CORE_V1}.NodeSelectorRequirement`,
  { key: z.string(), operator: z.string(), values: ostrs() },
  {
    description: 'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
    required: ['key', 'operator'],
    fields: { operator: 'Represents a key\'s relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.' },
  },
);

export const NodeSelectorTermSchema = kobj(
  `${CORE_V1}.NodeSelectorTerm`,
  { matchExpressions: z.array(NodeSelectorRequirementSchema).optional(), matchFields: z.array(NodeSelectorRequirementSchema).optional() },
  { description: 'A null or empty node selector term matches no objects. The requirements of them are ANDed.' },
);

export const NodeSelectorSchema = kobj(
  `${CORE_V1}.NodeSelector`,
  { nodeSelectorTerms: z.array(NodeSelectorTermSchema) },
  { description: 'A node selector represents the union of the results of one or more label queries over a set of nodes.', required: ['nodeSelectorTerms'] },
);

export const PreferredSchedulingTermSchema = kobj(
  `${CORE_V1}.PreferredSchedulingTerm`,
  { weight: z.int32(), preference: NodeSelectorTermSchema },
  { required: ['weight', 'preference'], fields: { weight: 'Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.' } },
);

export const NodeAffinitySchema = kobj(
  `${CORE_V1}.NodeAffinity`,
  {
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelectorSchema.optional(),
    preferredDuringSchedulingIgnoredDuringExecution: z.array(PreferredSchedulingTermSchema).optional(),
  },
  { description: 'Node affinity is a group of node affinity scheduling rules.' },
);

export const AffinitySchema = kobj(
  `${CORE_V1}.Affinity`,
  { nodeAffinity: NodeAffinitySchema.optional(), podAffinity: z.unknown().optional(), podAntiAffinity: z.unknown().optional() },
  { description: 'Affinity is a group of affinity scheduling rules.' },
);

export const TolerationSchema = kobj(
  `${CORE_V1}.Toleration`,
  { key: ostr(), operator: ostr(), value: ostr(), effect: ostr(), tolerationSeconds: oint64() },
  { description: 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.' },
);

export const VolumeSchema = kobj(
  `${CORE_V1}.Volume`,
  {
    name: z.string(),
    emptyDir: kobj(`${CORE_V1}.EmptyDirVolumeSource`, { medium: ostr(), sizeLimit: QuantitySchema.optional() }).optional(),
    hostPath: kobj(`${CORE_V1}.HostPathVolumeSource`, { path: z.string(), type: ostr() }, { required: ['path'] }).optional(),
  },
  { description: 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', required: ['name'] },
);

export const PodSecurityContextSchema = kobj(`${CORE_V1}.PodSecurityContext`, {
  runAsUser: oint64(),
  runAsGroup: oint64(),
  runAsNonRoot: obool(),
  fsGroup: oint64(),
  supplementalGroups: z.array(z.int()).optional(),
});

export const PodSpecSchema = kobj(
  `${CORE_V1}.PodSpec`,
  {
    volumes: z.array(VolumeSchema).optional(),
    initContainers: z.array(ContainerSchema).optional(),
    containers: z.array(ContainerSchema),
    restartPolicy: ostr(),
    terminationGracePeriodSeconds: oint64(),
    activeDeadlineSeconds: oint64(),
    dnsPolicy: ostr(),
    nodeSelector: ostrmap(),
    serviceAccountName: ostr(),
    serviceAccount: ostr(),
    automountServiceAccountToken: obool(),
    nodeName: ostr(),
    hostNetwork: obool(),
    hostPID: obool(),
    hostIPC: obool(),
    securityContext: PodSecurityContextSchema.optional(),
    hostname: ostr(),
    subdomain: ostr(),
    affinity: AffinitySchema.optional(),
    schedulerName: ostr(),
    tolerations: z.array(TolerationSchema).optional(),
    priorityClassName: ostr(),
    priority: oint32(),
    enableServiceLinks: obool(),
    preemptionPolicy: ostr(),
  },
  {
    description: 'PodSpec is a description of a pod.',
    required: ['containers'],
    fields: {
      containers: 'List of containers belonging to the pod. There must be at least one container in a Pod.',
      restartPolicy: 'Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.',
      terminationGracePeriodSeconds: 'Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.',
      nodeName: 'NodeName indicates in which node this pod is scheduled. Set by the scheduler through the binding subresource.',
      nodeSelector: "NodeSelector is a selector which must be true for the pod to fit on a node.",
      schedulerName: 'If specified, the pod will be dispatched by specified scheduler. Defaults to "default-scheduler".',
      dnsPolicy: 'Set DNS policy for the pod. Defaults to "ClusterFirst".',
      hostNetwork: "Host networking requested for this pod. Use the host's network namespace.",
      tolerations: "If specified, the pod's tolerations.",
      priority: 'The priority value. The higher the value, the higher the priority.',
    },
  },
);

export const PodConditionSchema = kobj(
  `${CORE_V1}.PodCondition`,
  {
    type: z.string(),
    status: z.string(),
    observedGeneration: oint64(),
    lastProbeTime: TimeSchema.optional(),
    lastTransitionTime: TimeSchema.optional(),
    reason: ostr(),
    message: ostr(),
  },
  { description: 'PodCondition contains details for the current condition of this pod.', required: ['type', 'status'] },
);

export const ContainerStateSchema = kobj(
  `${CORE_V1}.ContainerState`,
  {
    waiting: kobj(`${CORE_V1}.ContainerStateWaiting`, { reason: ostr(), message: ostr() }).optional(),
    running: kobj(`${CORE_V1}.ContainerStateRunning`, { startedAt: TimeSchema.optional() }).optional(),
    terminated: kobj(
      `${CORE_V1}.ContainerStateTerminated`,
      {
        exitCode: z.int32(),
        signal: oint32(),
        reason: ostr(),
        message: ostr(),
        startedAt: TimeSchema.optional(),
        finishedAt: TimeSchema.optional(),
        containerID: ostr(),
      },
      { required: ['exitCode'] },
    ).optional(),
  },
  { description: 'ContainerState holds a possible state of container. Only one of its members may be specified.' },
);

export const ContainerStatusSchema = kobj(
  `${CORE_V1}.ContainerStatus`,
  {
    name: z.string(),
    state: ContainerStateSchema.optional(),
    lastState: ContainerStateSchema.optional(),
    ready: z.boolean(),
    restartCount: z.int32(),
    image: z.string(),
    imageID: z.string(),
    containerID: ostr(),
    started: obool(),
    resources: ResourceRequirementsSchema.optional(),
  },
  { description: 'ContainerStatus contains details for the current status of this container.', required: ['name', 'ready', 'restartCount', 'image', 'imageID'] },
);

export const PodIPSchema = kobj(`${CORE_V1}.PodIP`, { ip: z.string() }, { required: ['ip'] });
export const HostIPSchema = kobj(`${CORE_V1}.HostIP`, { ip: z.string() }, { required: ['ip'] });

export const PodStatusSchema = kobj(
  `${CORE_V1}.PodStatus`,
  {
    observedGeneration: oint64(),
    phase: ostr(),
    conditions: z.array(PodConditionSchema).optional(),
    message: ostr(),
    reason: ostr(),
    nominatedNodeName: ostr(),
    hostIP: ostr(),
    hostIPs: z.array(HostIPSchema).optional(),
    podIP: ostr(),
    podIPs: z.array(PodIPSchema).optional(),
    startTime: TimeSchema.optional(),
    initContainerStatuses: z.array(ContainerStatusSchema).optional(),
    containerStatuses: z.array(ContainerStatusSchema).optional(),
    qosClass: ostr(),
  },
  {
    description: 'PodStatus represents information about the status of a pod. Status may trail the actual state of a system.',
    fields: {
      phase: 'The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.',
      qosClass: 'The Quality of Service (QOS) classification assigned to the pod based on resource requirements: Guaranteed, Burstable or BestEffort.',
    },
  },
);

export const PodSchema = kobj(
  `${CORE_V1}.Pod`,
  { apiVersion: z.string(), kind: z.string(), metadata: ObjectMetaSchema, spec: PodSpecSchema, status: PodStatusSchema },
  {
    description: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
    gvk: gvk('', 'v1', 'Pod'),
    fields: {
      metadata: "Standard object's metadata.",
      spec: 'Specification of the desired behavior of the pod.',
      status: 'Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only.',
    },
  },
);

export const PodTemplateSpecSchema = kobj(
  `${CORE_V1}.PodTemplateSpec`,
  { metadata: ObjectMetaSchema, spec: PodSpecSchema },
  { description: 'PodTemplateSpec describes the data a pod should have when created from a template' },
);

export const PodListSchema = listOf(PodSchema, `${CORE_V1}.PodList`, '', 'v1', 'PodList');

export type Container = z.output<typeof ContainerSchema>;
export type ContainerPort = z.output<typeof ContainerPortSchema>;
export type EnvVar = z.output<typeof EnvVarSchema>;
export type Probe = z.output<typeof ProbeSchema>;
export type ResourceRequirements = z.output<typeof ResourceRequirementsSchema>;
export type VolumeMount = z.output<typeof VolumeMountSchema>;
export type Volume = z.output<typeof VolumeSchema>;
export type Toleration = z.output<typeof TolerationSchema>;
export type NodeSelectorRequirement = z.output<typeof NodeSelectorRequirementSchema>;
export type NodeSelectorTerm = z.output<typeof NodeSelectorTermSchema>;
export type NodeAffinity = z.output<typeof NodeAffinitySchema>;
export type Affinity = z.output<typeof AffinitySchema>;
export type PodSpec = z.output<typeof PodSpecSchema>;
export type PodCondition = z.output<typeof PodConditionSchema>;
export type ContainerState = z.output<typeof ContainerStateSchema>;
export type ContainerStatus = z.output<typeof ContainerStatusSchema>;
export type PodStatus = z.output<typeof PodStatusSchema>;
export type Pod = z.output<typeof PodSchema>;
export type PodTemplateSpec = z.output<typeof PodTemplateSpecSchema>;
export type PodList = z.output<typeof PodListSchema>;
