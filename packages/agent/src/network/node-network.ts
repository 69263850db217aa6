// The node's side of the pod network: learns this node's pod CIDR from its Node object, keeps
// host-gateway routes to every other node's pod CIDR, and the forwarding rules Docker's isolation
// needs (./host-rules.ts). Level-triggered: every Node change re-plans the whole route table.
import { NODES, type KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { applyRoutes, currentRoutes, diffRoutes, isLocalAddress, planHostRoutes } from './host-routes.ts';
import { applyPodNetworkRules } from './host-rules.ts';

export interface NodeNetworkOptions {
  client: RestClient;
  nodeName: string;
  clusterCIDR: string;
  /** Program routes and rules (root only); default true. */
  programHost?: boolean;
  log(message: string): void;
}

export class NodeNetwork {
  private readonly o: NodeNetworkOptions;
  private readonly nodes: Informer<KubeObject>;
  private cidrWaiters: ((cidr: string) => void)[] = [];
  private syncing = Promise.resolve();
  private dirty = false;
  private rulesDone = false;
  private stopped = false;

  constructor(o: NodeNetworkOptions) {
    this.o = o;
    this.nodes = new Informer(o.client, NODES, { onError: (err, ctx) => o.log(`node watch (${ctx}): ${(err as Error).message}`) });
    const changed = () => this.changed();
    // Not for metadata alone: every kernel proxy annotates its Node after each sync (../proxy/drain.ts).
    const routed = (n: KubeObject) => JSON.stringify([n.spec, n.status]);
    this.nodes.addEventHandler({ onAdd: changed, onUpdate: (old, n) => routed(old) !== routed(n) && changed(), onDelete: changed });
  }

  /** The agent's Node informer (every Node of the cluster), for others to share. */
  get nodeInformer(): Informer<KubeObject> {
    return this.nodes;
  }

  async start(): Promise<void> {
    this.nodes.start();
    await this.nodes.waitForSync();
  }

  stop(): void {
    this.stopped = true;
    this.nodes.stop();
  }

  /** Resolves with this node's pod CIDR once it has one. */
  podCIDR(): Promise<string> {
    const now = this.ownCIDR();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => this.cidrWaiters.push(resolve));
  }

  /** Resolves when the routes and rules reflect what the informer holds now. */
  idle(): Promise<void> {
    return this.syncing;
  }

  /**
   * Puts the pod network's jumps back ahead of Docker's rules: called once the node's Docker
   * network exists, since creating it inserts Docker's MASQUERADE at the top of POSTROUTING.
   */
  async ensureRules(): Promise<void> {
    if (this.o.programHost === false) return;
    await applyPodNetworkRules(this.o.clusterCIDR);
  }

  private ownCIDR(): string | undefined {
    return this.nodes.store.get(this.o.nodeName)?.spec?.podCIDR;
  }

  private changed(): void {
    const cidr = this.ownCIDR();
    if (cidr && this.cidrWaiters.length) {
      for (const w of this.cidrWaiters.splice(0)) w(cidr);
    }
    if (this.o.programHost === false) return;
    if (this.dirty) return;
    this.dirty = true;
    this.syncing = this.syncing.then(() => this.sync());
  }

  private async sync(): Promise<void> {
    this.dirty = false;
    try {
      if (!this.rulesDone) {
        await applyPodNetworkRules(this.o.clusterCIDR);
        this.rulesDone = true;
      }
      const desired = planHostRoutes(this.o.nodeName, this.nodes.store.list(), isLocalAddress);
      const plan = diffRoutes(desired, await currentRoutes());
      await applyRoutes(plan);
      for (const r of plan.replace) this.o.log(`route ${r.cidr} via ${r.via}`);
    } catch (err) {
      this.o.log(`programming the pod network failed (retrying in 5 s): ${(err as Error).message}`);
      if (!this.stopped) setTimeout(() => this.changed(), 5000).unref();
    }
  }
}
