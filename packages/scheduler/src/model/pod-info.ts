// What the scheduler needs to know about a pod, computed once when the pod enters the queue or
// the cache, so that filters and scores over thousands of nodes do no parsing.

import { toBytes, toMilli } from '@skiff/api';
import { compilePodTerms, compileSpreadConstraints, type PodTerms, type SpreadConstraint } from './pod-terms.ts';
import type { Container, Pod, ResourceList, Toleration } from './types.ts';

/** Requests the way the resource filter and scores count them. */
export interface Resources {
  milliCpu: number;
  memory: number;
}

export interface HostPort {
  protocol: string;
  port: number;
  /** '0.0.0.0' when the pod binds every address. */
  ip: string;
}

export interface PodInfo {
  pod: Pod;
  /** `namespace/name`. */
  key: string;
  /** Effective requests: max(sum of containers, largest init container) plus overhead. */
  requests: Resources;
  /** The same with 100m / 200Mi standing in for a container's missing request (scoring only). */
  nonZeroRequests: Resources;
  hostPorts: HostPort[];
  tolerations: Toleration[];
  /** uid of the controlling owner (ReplicaSet, ...) for spreading; undefined for bare pods. */
  ownerKey: string | undefined;
  priority: number;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Pod affinity and anti-affinity terms; undefined when the pod has none. */
  terms: PodTerms | undefined;
  /** topologySpreadConstraints as written (the cluster defaults are the plugin's business). */
  spread: SpreadConstraint[];
  /** Being deleted: spreading does not count it. */
  terminating: boolean;
}

/** Kubernetes' defaults for a container that requests nothing, used only when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function podKey(pod: Pick<Pod, 'metadata'>): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

// A request missing but a limit set means request = limit (the API server's defaulting rule).
function request(resources: Container['resources'], name: string): string | number | undefined {
  return resources?.requests?.[name] ?? resources?.limits?.[name];
}

function containerResources(c: Container, nonZero: boolean): Resources {
  const cpu = request(c.resources, 'cpu');
  const mem = request(c.resources, 'memory');
  return {
    milliCpu: cpu === undefined && nonZero ? DEFAULT_MILLI_CPU_REQUEST : toMilli(cpu ?? 0),
    memory: mem === undefined && nonZero ? DEFAULT_MEMORY_REQUEST : toBytes(mem ?? 0),
  };
}

function overhead(list: ResourceList | undefined): Resources {
  return { milliCpu: toMilli(list?.cpu ?? 0), memory: toBytes(list?.memory ?? 0) };
}

export function computeRequests(pod: Pod, nonZero = false): Resources {
  const sum = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec.containers ?? []) {
    const r = containerResources(c, nonZero);
    sum.milliCpu += r.milliCpu;
    sum.memory += r.memory;
  }
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerResources(c, nonZero);
    sum.milliCpu = Math.max(sum.milliCpu, r.milliCpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  const o = overhead(pod.spec.overhead);
  return { milliCpu: sum.milliCpu + o.milliCpu, memory: sum.memory + o.memory };
}

function hostPorts(pod: Pod): HostPort[] {
  const ports: HostPort[] = [];
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) {
        ports.push({ protocol: p.protocol ?? 'TCP', port: p.hostPort, ip: p.hostIP || '0.0.0.0' });
      }
    }
  }
  return ports;
}

function ownerKey(pod: Pod): string | undefined {
  const refs = pod.metadata.ownerReferences ?? [];
  const owner = refs.find((r) => r.controller) ?? refs[0];
  return owner ? owner.uid || `${owner.kind}/${owner.name}` : undefined;
}

export function computePodInfo(pod: Pod): PodInfo {
  const owner = { namespace: pod.metadata.namespace ?? 'default', labels: pod.metadata.labels ?? {} };
  return {
    pod,
    key: podKey(pod),
    requests: computeRequests(pod),
    nonZeroRequests: computeRequests(pod, true),
    hostPorts: hostPorts(pod),
    tolerations: pod.spec.tolerations ?? [],
    ownerKey: ownerKey(pod),
    priority: pod.spec.priority ?? 0,
    namespace: owner.namespace,
    labels: owner.labels,
    terms: compilePodTerms(pod.spec.affinity, owner),
    spread: compileSpreadConstraints(pod.spec.topologySpreadConstraints, owner),
    terminating: !!pod.metadata.deletionTimestamp,
  };
}
