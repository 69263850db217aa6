// The pods this scheduler nominated a node for by preempting (kube-scheduler's nominator), until
// they are placed or gone. While the victims leave, the node's room is held for the preemptor:
// the pipeline counts a node's nominated pods of at least the same priority as the pod being
// scheduled (kube's addGENominatedPods), so a pod of lower or equal priority does not take the
// place the preemption made.
import type { PodInfo } from './model/pod-info.ts';

export type NominatedPods = ReadonlyMap<string, ReadonlyMap<string, PodInfo>>;

export class Nominator {
  private readonly byPod = new Map<string, string>();
  private readonly byNode = new Map<string, Map<string, PodInfo>>();

  nominate(info: PodInfo, node: string): void {
    this.remove(info.key);
    this.byPod.set(info.key, node);
    let here = this.byNode.get(node);
    if (!here) this.byNode.set(node, (here = new Map()));
    here.set(info.key, info);
  }

  remove(key: string): void {
    const node = this.byPod.get(key);
    if (node === undefined) return;
    this.byPod.delete(key);
    const here = this.byNode.get(node)!;
    here.delete(key);
    if (here.size === 0) this.byNode.delete(node);
  }

  nodeOf(key: string): string | undefined {
    return this.byPod.get(key);
  }

  /** Node name -> the pods nominated to it, for computePlacement. */
  byNodeName(): NominatedPods {
    return this.byNode;
  }
}
