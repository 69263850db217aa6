// A node and the aggregate of the pods on it (bound or assumed), kept up to date incrementally so
// each filter and score is O(1) in the number of pods on the node.

import type { HostPort, PodInfo, Resources } from './pod-info.ts';
import { toBytes, toMilli } from '@skiff/api';
import type { Node, ResourceList, Taint } from './types.ts';

export interface Allocatable extends Resources {
  pods: number;
}

export function computeAllocatable(node: Node): Allocatable {
  const list: ResourceList = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { milliCpu: toMilli(list.cpu ?? 0), memory: toBytes(list.memory ?? 0), pods: toBytes(list.pods ?? 0) };
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export class NodeInfo {
  readonly name: string;
  /** undefined while pods name a node the cache has not seen yet. */
  node: Node | undefined = undefined;
  allocatable: Allocatable = { milliCpu: 0, memory: 0, pods: 0 };
  ready = false;
  /** Cordoned (`spec.unschedulable`). */
  unschedulable = false;
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  readonly requested: Resources = { milliCpu: 0, memory: 0 };
  readonly nonZeroRequested: Resources = { milliCpu: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** `protocol/port` -> host IPs in use (with counts). */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** owner key -> number of that owner's pods on this node. */
  readonly ownerCounts = new Map<string, number>();
  /** The pods here with pod affinity or anti-affinity terms (InterPodAffinity reads only these). */
  readonly podsWithTerms = new Map<string, PodInfo>();
  /**
   * priority -> number of pods here (not terminating) with it: preemption asks whether a node has
   * any pod of lower priority than the preemptor without walking its pods.
   */
  private readonly priorityCounts = new Map<number, number>();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = computeAllocatable(node);
    this.ready = isNodeReady(node);
    this.unschedulable = !!node.spec?.unschedulable;
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    if (p.terms) this.podsWithTerms.set(p.key, p);
    this.account(p, 1);
  }

  removePod(key: string): boolean {
    const p = this.pods.get(key);
    if (!p) return false;
    this.pods.delete(key);
    this.podsWithTerms.delete(key);
    this.account(p, -1);
    return true;
  }

  /** The lowest priority of a pod here that is not terminating; Infinity when there is none. O(distinct priorities). */
  lowestPriority(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const p of this.priorityCounts.keys()) if (p < min) min = p;
    return min;
  }

  /** Whether one of `ports` is taken: same protocol and port, and the same IP or a wildcard. */
  portsConflict(ports: HostPort[]): boolean {
    for (const want of ports) {
      const ips = this.usedPorts.get(`${want.protocol}/${want.port}`);
      if (!ips) continue;
      if (want.ip === '0.0.0.0' || ips.has('0.0.0.0') || ips.has(want.ip)) return true;
    }
    return false;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    this.requested.milliCpu += sign * p.requests.milliCpu;
    this.requested.memory += sign * p.requests.memory;
    this.nonZeroRequested.milliCpu += sign * p.nonZeroRequests.milliCpu;
    this.nonZeroRequested.memory += sign * p.nonZeroRequests.memory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k) ?? new Map<string, number>();
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n > 0) ips.set(hp.ip, n);
      else ips.delete(hp.ip);
      if (ips.size > 0) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
    if (!p.terminating) {
      const n = (this.priorityCounts.get(p.priority) ?? 0) + sign;
      if (n > 0) this.priorityCounts.set(p.priority, n);
      else this.priorityCounts.delete(p.priority);
    }
    if (p.ownerKey !== undefined) {
      const n = (this.ownerCounts.get(p.ownerKey) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(p.ownerKey, n);
      else this.ownerCounts.delete(p.ownerKey);
    }
  }
}

/**
 * Whether a node update could make a pending pod schedulable (or stop it fitting): resources,
 * labels, taints, cordon or readiness changed. Heartbeats that touch none of them do not wake
 * the parked pods.
 */
export function nodeSchedulingPropertiesChanged(oldNode: Node, newNode: Node): boolean {
  return (
    JSON.stringify(computeAllocatable(oldNode)) !== JSON.stringify(computeAllocatable(newNode)) ||
    JSON.stringify(oldNode.metadata.labels ?? {}) !== JSON.stringify(newNode.metadata.labels ?? {}) ||
    JSON.stringify(oldNode.spec?.taints ?? []) !== JSON.stringify(newNode.spec?.taints ?? []) ||
    !!oldNode.spec?.unschedulable !== !!newNode.spec?.unschedulable ||
    isNodeReady(oldNode) !== isNodeReady(newNode)
  );
}
