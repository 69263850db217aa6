// The scheduler's view of the cluster: nodes and the pods on them, including "assumed" pods.
// When the scheduler picks a node it assumes the pod there at once, so the next decision sees
// the resources taken before the binding comes back through the watch; the watch then confirms
// the assumption, and a failed binding forgets it.

import { NodeInfo } from './model/node-info.ts';
import { computePodInfo, podKey, type PodInfo } from './model/pod-info.ts';
import type { Node, Pod } from './model/types.ts';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
  /** For an assumed pod whose binding was accepted: when to stop waiting for the watch (ms). */
  expiresAt?: number;
}

/** Pods that no longer hold resources on their node. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export class SchedulerCache {
  /** Every node known, plus placeholders for nodes that pods name but the cache has not seen. */
  private readonly infos = new Map<string, NodeInfo>();
  /** Real nodes only, in a stable order for the rotating search; removal swaps in the last. */
  private readonly list: NodeInfo[] = [];
  private readonly listIndex = new Map<string, number>();
  private readonly pods = new Map<string, PodState>();
  /** Keys of the assumed pods, so expiry does not walk every pod. */
  private readonly assumed = new Set<string>();

  /** The nodes to schedule onto. Do not modify. */
  nodeList(): readonly NodeInfo[] {
    return this.list;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.infos.get(name);
  }

  get podCount(): number {
    return this.pods.size;
  }

  addOrUpdateNode(node: Node): void {
    const name = node.metadata.name!;
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    info.setNode(node);
    if (!this.listIndex.has(name)) {
      this.listIndex.set(name, this.list.length);
      this.list.push(info);
    }
  }

  removeNode(name: string): void {
    const i = this.listIndex.get(name);
    if (i !== undefined) {
      const last = this.list.pop()!;
      if (i < this.list.length) {
        this.list[i] = last;
        this.listIndex.set(last.name, i);
      }
      this.listIndex.delete(name);
    }
    const info = this.infos.get(name);
    if (!info) return;
    // Pods still bound to a deleted node keep a placeholder until they go too.
    if (info.pods.size === 0) this.infos.delete(name);
    else info.node = undefined;
  }

  /** Takes the pod's resources on `nodeName` now, before the binding is confirmed. */
  assume(info: PodInfo, nodeName: string): void {
    this.place(info, nodeName, true);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed ?? false;
  }

  /**
   * The binding was accepted; the watch should confirm the pod soon. If it never does (the pod
   * was deleted while the watch was relisting), cleanupExpired() drops the assumption.
   */
  finishBinding(key: string, expiresAt: number): void {
    const s = this.pods.get(key);
    if (s?.assumed) s.expiresAt = expiresAt;
  }

  cleanupExpired(now: number): void {
    for (const key of this.assumed) {
      const s = this.pods.get(key)!;
      if (s.expiresAt !== undefined && s.expiresAt <= now) this.remove(key);
    }
  }

  /** The binding failed: release what assume() took. */
  forget(key: string): void {
    const s = this.pods.get(key);
    if (s?.assumed) this.remove(key);
  }

  /** A pod with spec.nodeName from the watch: confirms an assumption or records a pod. */
  addOrUpdatePod(pod: Pod): void {
    if (isTerminal(pod)) {
      this.remove(podKey(pod));
      return;
    }
    this.place(computePodInfo(pod), pod.spec.nodeName!, false);
  }

  removePod(key: string): void {
    this.remove(key);
  }

  private place(info: PodInfo, nodeName: string, assumed: boolean): void {
    const old = this.pods.get(info.key);
    if (old && old.node !== nodeName) this.remove(info.key);
    let node = this.infos.get(nodeName);
    if (!node) {
      node = new NodeInfo(nodeName);
      this.infos.set(nodeName, node);
    }
    node.addPod(info);
    this.pods.set(info.key, { info, node: nodeName, assumed });
    if (assumed) this.assumed.add(info.key);
    else this.assumed.delete(info.key);
  }

  private remove(key: string): void {
    const s = this.pods.get(key);
    if (!s) return;
    this.pods.delete(key);
    this.assumed.delete(key);
    const node = this.infos.get(s.node);
    if (!node) return;
    node.removePod(key);
    if (!node.node && node.pods.size === 0) this.infos.delete(s.node);
  }
}
