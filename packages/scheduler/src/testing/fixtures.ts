// Builders for pods and nodes in tests and the benchmark.

import { NodeInfo } from '../model/node-info.ts';
import { computePodInfo, type PodInfo } from '../model/pod-info.ts';
import type { Node, Pod, PodSpec, Taint } from '../model/types.ts';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: boolean;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const resources = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: String(o.pods ?? 110) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  owner?: string;
  priority?: number;
  createdAt?: string;
  labels?: Record<string, string>;
  spec?: Partial<PodSpec>;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.createdAt ? { creationTimestamp: o.createdAt } : {}),
      ...(o.owner
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] }
        : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx', ...(o.cpu || o.memory ? { resources: { requests } } : {}) }],
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...o.spec,
    },
  };
}

export function podInfo(name: string, o: PodOptions = {}): PodInfo {
  return computePodInfo(makePod(name, o));
}

/** A NodeInfo with the given pods already on it. */
export function nodeInfo(name: string, o: NodeOptions = {}, pods: Pod[] = []): NodeInfo {
  const info = new NodeInfo(name, makeNode(name, o));
  for (const p of pods) info.addPod(computePodInfo(p));
  return info;
}
