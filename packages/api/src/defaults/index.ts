// applyDefaults: Kubernetes' per-kind defaulting (pkg/apis/*/v1/defaults.go), run on every
// create and update. Pure: the input is deep-copied and the copy is defaulted.

import type { Deployment, Endpoints, Namespace, Node, PriorityClass, ReplicaSet, ReplicationController, Service } from '../model/types.generated.ts';
import type { Incoming, KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resources.ts';
import { defaultPod, defaultPodTemplate, defaultResourceList } from './pod.ts';
import { defaultSecret } from './config.ts';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from './storage.ts';
import { defaultDaemonSet, defaultStatefulSet } from './sets.ts';
import { defaultCronJob, defaultJob } from './batch.ts';

type Kind = Pick<ResourceInfo, 'group' | 'kind'>;

/** A plain-JSON deep copy; several times faster than structuredClone for API objects. */
export function deepCopy<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = deepCopy(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const c = deepCopy((v as Record<string, unknown>)[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out as T;
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

function defaultService(svc: Incoming<Service>): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    // targetPort 0 or "" means "same as port".
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible =
    spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);
  if (externallyAccessible && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined) spec.allocateLoadBalancerNodePorts = true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
}

function defaultDeployment(d: Incoming<Deployment>): void {
  const spec = (d.spec ??= {});
  if (spec.replicas === undefined) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template);
}

function defaultReplicaSet(rs: Incoming<ReplicaSet>): void {
  const spec = (rs.spec ??= {});
  if (spec.replicas === undefined) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

function defaultReplicationController(rc: Incoming<ReplicationController>): void {
  const spec = (rc.spec ??= {});
  const labels = spec.template?.metadata?.labels;
  if (labels) {
    if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    rc.metadata ??= {};
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  if (spec.replicas === undefined) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

function defaultNamespace(ns: Incoming<Namespace>): void {
  // generateName'd namespaces have no name yet; the label is added once they do.
  const meta = ns.metadata;
  if (meta?.name) meta.labels = { ...(meta.labels ?? {}), [NAMESPACE_NAME_LABEL]: meta.name };
  const status = (ns.status ??= {});
  if (!status.phase) status.phase = 'Active';
}

function defaultNode(node: Incoming<Node>): void {
  const status = node.status;
  if (!status) return;
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatable);
  if (status.allocatable === undefined && status.capacity !== undefined) status.allocatable = { ...status.capacity };
}

function defaultEndpoints(ep: Incoming<Endpoints>): void {
  for (const s of ep.subsets ?? []) for (const p of s.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}

/** By `group/Kind`; each takes its kind's type (a decoded KubeObject of that kind fits it). */
const DEFAULTERS: Record<string, (o: KubeObject) => void> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Namespace': defaultNamespace,
  '/Node': defaultNode,
  '/Endpoints': defaultEndpoints,
  '/ReplicationController': defaultReplicationController,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  '/Secret': defaultSecret,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/PersistentVolume': defaultPersistentVolume,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': defaultStatefulSet,
  'scheduling.k8s.io/PriorityClass': (pc: Incoming<PriorityClass>) => {
    if (pc.preemptionPolicy === undefined) pc.preemptionPolicy = 'PreemptLowerPriority';
  },
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
};

/** Returns a defaulted deep copy of `obj`, as the API server stores it. */
export function applyDefaults<T extends KubeObject>(resource: Kind, obj: T): T {
  const out = deepCopy(obj);
  DEFAULTERS[`${resource.group}/${resource.kind}`]?.(out);
  return out;
}
