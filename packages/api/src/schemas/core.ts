// core/v1 kinds other than Pod: Namespace, Node, Service, Endpoints, Event,
// ReplicationController and Binding.

import { z } from 'zod';
import { CORE_V1, gvk, IntOrStringSchema, kobj, MicroTimeSchema, obool, oint32, oint64, ostr, ostrmap, ostrs, ResourceListSchema, TimeSchema } from './common.ts';
import { listOf, ObjectMetaSchema } from './meta.ts';
import { PodTemplateSpecSchema } from './pod.ts';

const typeMeta = () => ({ apiVersion: z.string(), kind: z.string(), metadata: ObjectMetaSchema });

// ---- Namespace --------------------------------------------------------------------------

export const NamespaceConditionSchema = kobj(
  `${CORE_V1}.NamespaceCondition`,
  { type: z.string(), status: z.string(), lastTransitionTime: TimeSchema.optional(), reason: ostr(), message: ostr() },
  { required: ['type', 'status'] },
);

export const NamespaceSchema = kobj(
  `${CORE_V1}.Namespace`,
  {
    ...typeMeta(),
    spec: kobj(`${CORE_V1}.NamespaceSpec`, { finalizers: ostrs() }, {
      description: 'NamespaceSpec describes the attributes on a Namespace.',
      fields: { finalizers: 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.' },
    }),
    status: kobj(`${CORE_V1}.NamespaceStatus`, { phase: ostr(), conditions: z.array(NamespaceConditionSchema).optional() }, {
      description: 'NamespaceStatus is information about the current status of a Namespace.',
      fields: { phase: 'Phase is the current lifecycle phase of the namespace: Active or Terminating.' },
    }),
  },
  { description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', gvk: gvk('', 'v1', 'Namespace') },
);

// ---- Node -------------------------------------------------------------------------------

export const TaintSchema = kobj(
  `${CORE_V1}.Taint`,
  { key: z.string(), value: ostr(), effect: z.string(), timeAdded: TimeSchema.optional() },
  {
    description: 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.',
    required: ['key', 'effect'],
    fields: { effect: 'Required. The effect of the taint on pods that do not tolerate the taint. Valid effects are NoSchedule, PreferNoSchedule and NoExecute.' },
  },
);

export const NodeConditionSchema = kobj(
  `${CORE_V1}.NodeCondition`,
  {
    type: z.string(),
    status: z.string(),
    lastHeartbeatTime: TimeSchema.optional(),
    lastTransitionTime: TimeSchema.optional(),
    reason: ostr(),
    message: ostr(),
  },
  { description: 'NodeCondition contains condition information for a node.', required: ['type', 'status'] },
);

export const NodeAddressSchema = kobj(
  `${CORE_V1}.NodeAddress`,
  { type: z.string(), address: z.string() },
  { description: "NodeAddress contains information for the node's address.", required: ['type', 'address'] },
);

export const NodeSystemInfoSchema = kobj(
  `${CORE_V1}.NodeSystemInfo`,
  {
    machineID: z.string(),
    systemUUID: z.string(),
    bootID: z.string(),
    kernelVersion: z.string(),
    osImage: z.string(),
    containerRuntimeVersion: z.string(),
    kubeletVersion: z.string(),
    kubeProxyVersion: ostr(),
    operatingSystem: z.string(),
    architecture: z.string(),
  },
  {
    description: 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.',
    required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'operatingSystem', 'architecture'],
  },
);

export const DaemonEndpointSchema = kobj(`${CORE_V1}.DaemonEndpoint`, { Port: z.int32() }, { required: ['Port'] });

export const NodeSpecSchema = kobj(
  `${CORE_V1}.NodeSpec`,
  { podCIDR: ostr(), podCIDRs: ostrs(), providerID: ostr(), unschedulable: obool(), taints: z.array(TaintSchema).optional() },
  {
    description: 'NodeSpec describes the attributes that a node is created with.',
    fields: { unschedulable: 'Unschedulable controls node schedulability of new pods. By default, node is schedulable.', taints: "If specified, the node's taints." },
  },
);

export const NodeStatusSchema = kobj(
  `${CORE_V1}.NodeStatus`,
  {
    capacity: ResourceListSchema.optional(),
    allocatable: ResourceListSchema.optional(),
    phase: ostr(),
    conditions: z.array(NodeConditionSchema).optional(),
    addresses: z.array(NodeAddressSchema).optional(),
    daemonEndpoints: kobj(`${CORE_V1}.NodeDaemonEndpoints`, { kubeletEndpoint: DaemonEndpointSchema.optional() }).optional(),
    nodeInfo: NodeSystemInfoSchema.optional(),
    images: z
      .array(kobj(`${CORE_V1}.ContainerImage`, { names: ostrs(), sizeBytes: oint64() }))
      .optional(),
  },
  {
    description: 'NodeStatus is information about the current status of a node.',
    fields: { allocatable: 'Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity.' },
  },
);

export const NodeSchema = kobj(
  `${CORE_V1}.Node`,
  { ...typeMeta(), spec: NodeSpecSchema, status: NodeStatusSchema },
  { description: 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).', gvk: gvk('', 'v1', 'Node') },
);

// ---- Service ----------------------------------------------------------------------------

export const ServicePortSchema = kobj(
  `${CORE_V1}.ServicePort`,
  { name: ostr(), protocol: ostr(), appProtocol: ostr(), port: z.int32(), targetPort: IntOrStringSchema.optional(), nodePort: oint32() },
  {
    description: "ServicePort contains information on service's port.",
    required: ['port'],
    fields: {
      port: 'The port that will be exposed by this service.',
      targetPort: "Number or name of the port to access on the pods targeted by the service. Defaults to the value of the 'port' field.",
      nodePort: 'The port on each node on which this service is exposed when type is NodePort or LoadBalancer.',
      protocol: 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.',
    },
  },
);

export const LoadBalancerIngressSchema = kobj(`${CORE_V1}.LoadBalancerIngress`, {
  ip: ostr(),
  hostname: ostr(),
  ipMode: ostr(),
  ports: z
    .array(kobj(`${CORE_V1}.PortStatus`, { port: z.int32(), protocol: z.string(), error: ostr() }, { required: ['port', 'protocol'] }))
    .optional(),
});

export const LoadBalancerStatusSchema = kobj(
  `${CORE_V1}.LoadBalancerStatus`,
  { ingress: z.array(LoadBalancerIngressSchema).optional() },
  { description: 'LoadBalancerStatus represents the status of a load-balancer.' },
);

export const ServiceSpecSchema = kobj(
  `${CORE_V1}.ServiceSpec`,
  {
    ports: z.array(ServicePortSchema).optional(),
    selector: ostrmap(),
    clusterIP: ostr(),
    clusterIPs: ostrs(),
    type: ostr(),
    externalIPs: ostrs(),
    sessionAffinity: ostr(),
    loadBalancerIP: ostr(),
    externalName: ostr(),
    externalTrafficPolicy: ostr(),
    internalTrafficPolicy: ostr(),
    healthCheckNodePort: oint32(),
    publishNotReadyAddresses: obool(),
    sessionAffinityConfig: kobj(`${CORE_V1}.SessionAffinityConfig`, {
      clientIP: kobj(`${CORE_V1}.ClientIPConfig`, { timeoutSeconds: oint32() }).optional(),
    }).optional(),
    ipFamilies: ostrs(),
    ipFamilyPolicy: ostr(),
    allocateLoadBalancerNodePorts: obool(),
  },
  {
    description: 'ServiceSpec describes the attributes that a user creates on a service.',
    fields: {
      selector: 'Route service traffic to pods with label keys and values matching this selector.',
      type: 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.',
      clusterIP: 'clusterIP is the IP address of the service and is usually assigned randomly.',
      sessionAffinity: 'Supports "ClientIP" and "None". Used to maintain session affinity. Defaults to None.',
    },
  },
);

export const ServiceSchema = kobj(
  `${CORE_V1}.Service`,
  {
    ...typeMeta(),
    spec: ServiceSpecSchema,
    status: kobj(`${CORE_V1}.ServiceStatus`, { loadBalancer: LoadBalancerStatusSchema }, {
      description: 'ServiceStatus represents the current status of a service.',
    }),
  },
  {
    description: 'Service is a named abstraction of software service (for example, mysql) consisting of local port that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
    gvk: gvk('', 'v1', 'Service'),
  },
);

// ---- Endpoints --------------------------------------------------------------------------

export const ObjectReferenceSchema = kobj(
  `${CORE_V1}.ObjectReference`,
  { kind: ostr(), namespace: ostr(), name: ostr(), uid: ostr(), apiVersion: ostr(), resourceVersion: ostr(), fieldPath: ostr() },
  { description: 'ObjectReference contains enough information to let you inspect or modify the referred object.' },
);

export const EndpointAddressSchema = kobj(
  `${CORE_V1}.EndpointAddress`,
  { ip: z.string(), hostname: ostr(), nodeName: ostr(), targetRef: ObjectReferenceSchema.optional() },
  { description: 'EndpointAddress is a tuple that describes single IP address.', required: ['ip'] },
);

export const EndpointPortSchema = kobj(
  `${CORE_V1}.EndpointPort`,
  { name: ostr(), port: z.int32(), protocol: ostr(), appProtocol: ostr() },
  { description: 'EndpointPort is a tuple that describes a single port.', required: ['port'] },
);

export const EndpointSubsetSchema = kobj(
  `${CORE_V1}.EndpointSubset`,
  {
    addresses: z.array(EndpointAddressSchema).optional(),
    notReadyAddresses: z.array(EndpointAddressSchema).optional(),
    ports: z.array(EndpointPortSchema).optional(),
  },
  { description: 'EndpointSubset is a group of addresses with a common set of ports.' },
);

export const EndpointsSchema = kobj(
  `${CORE_V1}.Endpoints`,
  { ...typeMeta(), subsets: z.array(EndpointSubsetSchema).optional() },
  { description: 'Endpoints is a collection of endpoints that implement the actual service.', gvk: gvk('', 'v1', 'Endpoints') },
);

// ---- Event ------------------------------------------------------------------------------

export const EventSourceSchema = kobj(`${CORE_V1}.EventSource`, { component: ostr(), host: ostr() }, {
  description: 'EventSource contains information for an event.',
});

export const EventSchema = kobj(
  `${CORE_V1}.Event`,
  {
    ...typeMeta(),
    involvedObject: ObjectReferenceSchema,
    reason: ostr(),
    message: ostr(),
    source: EventSourceSchema,
    firstTimestamp: TimeSchema.optional(),
    lastTimestamp: TimeSchema.optional(),
    count: oint32(),
    type: ostr(),
    eventTime: MicroTimeSchema.optional(),
    series: kobj(`${CORE_V1}.EventSeries`, { count: oint32(), lastObservedTime: MicroTimeSchema.optional() }).optional(),
    action: ostr(),
    related: ObjectReferenceSchema.optional(),
    reportingComponent: z.string(),
    reportingInstance: z.string(),
  },
  {
    description: 'Event is a report of an event somewhere in the cluster.',
    required: ['metadata', 'involvedObject'],
    gvk: gvk('', 'v1', 'Event'),
    fields: {
      involvedObject: 'The object that this event is about.',
      reason: 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.',
      type: 'Type of this event (Normal, Warning), new types could be added in the future',
      count: 'The number of times this event has occurred.',
    },
  },
);

// ---- ReplicationController --------------------------------------------------------------

export const ReplicationControllerConditionSchema = kobj(
  `${CORE_V1}.ReplicationControllerCondition`,
  { type: z.string(), status: z.string(), lastTransitionTime: TimeSchema.optional(), reason: ostr(), message: ostr() },
  { required: ['type', 'status'] },
);

export const ReplicationControllerSchema = kobj(
  `${CORE_V1}.ReplicationController`,
  {
    ...typeMeta(),
    spec: kobj(
      `${CORE_V1}.ReplicationControllerSpec`,
      { replicas: oint32(), minReadySeconds: oint32(), selector: ostrmap(), template: PodTemplateSpecSchema.optional() },
      {
        description: 'ReplicationControllerSpec is the specification of a replication controller.',
        fields: {
          replicas: 'Replicas is the number of desired replicas. Defaults to 1.',
          selector: 'Selector is a label query over pods that should match the Replicas count. Defaults to the labels of the pod template.',
        },
      },
    ),
    status: kobj(
      `${CORE_V1}.ReplicationControllerStatus`,
      {
        replicas: z.int32(),
        fullyLabeledReplicas: oint32(),
        readyReplicas: oint32(),
        availableReplicas: oint32(),
        observedGeneration: oint64(),
        conditions: z.array(ReplicationControllerConditionSchema).optional(),
      },
      { required: ['replicas'] },
    ),
  },
  { description: 'ReplicationController represents the configuration of a replication controller.', gvk: gvk('', 'v1', 'ReplicationController') },
);

// ---- Binding ----------------------------------------------------------------------------

export const BindingSchema = kobj(
  `${CORE_V1}.Binding`,
  { ...typeMeta(), target: ObjectReferenceSchema },
  { description: 'Binding ties one object to another; for example, a pod is bound to a node by a scheduler.', required: ['target'], gvk: gvk('', 'v1', 'Binding') },
);

export const NamespaceListSchema = listOf(NamespaceSchema, `${CORE_V1}.NamespaceList`, '', 'v1', 'NamespaceList');
export const NodeListSchema = listOf(NodeSchema, `${CORE_V1}.NodeList`, '', 'v1', 'NodeList');
export const ServiceListSchema = listOf(ServiceSchema, `${CORE_V1}.ServiceList`, '', 'v1', 'ServiceList');
export const EndpointsListSchema = listOf(EndpointsSchema, `${CORE_V1}.EndpointsList`, '', 'v1', 'EndpointsList');
export const EventListSchema = listOf(EventSchema, `${CORE_V1}.EventList`, '', 'v1', 'EventList');
export const ReplicationControllerListSchema = listOf(ReplicationControllerSchema, `${CORE_V1}.ReplicationControllerList`, '', 'v1', 'ReplicationControllerList');

export type Namespace = z.output<typeof NamespaceSchema>;
export type Taint = z.output<typeof TaintSchema>;
export type NodeCondition = z.output<typeof NodeConditionSchema>;
export type NodeAddress = z.output<typeof NodeAddressSchema>;
export type NodeSystemInfo = z.output<typeof NodeSystemInfoSchema>;
export type NodeSpec = z.output<typeof NodeSpecSchema>;
export type NodeStatus = z.output<typeof NodeStatusSchema>;
export type Node = z.output<typeof NodeSchema>;
export type ServicePort = z.output<typeof ServicePortSchema>;
export type ServiceSpec = z.output<typeof ServiceSpecSchema>;
export type Service = z.output<typeof ServiceSchema>;
export type ObjectReference = z.output<typeof ObjectReferenceSchema>;
export type EndpointAddress = z.output<typeof EndpointAddressSchema>;
export type EndpointPort = z.output<typeof EndpointPortSchema>;
export type EndpointSubset = z.output<typeof EndpointSubsetSchema>;
export type Endpoints = z.output<typeof EndpointsSchema>;
export type EventSource = z.output<typeof EventSourceSchema>;
export type Event = z.output<typeof EventSchema>;
export type ReplicationController = z.output<typeof ReplicationControllerSchema>;
export type Binding = z.output<typeof BindingSchema>;
