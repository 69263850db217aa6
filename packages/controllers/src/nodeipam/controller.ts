// The node-IPAM controller: gives every Node a pod CIDR (spec.podCIDR and spec.podCIDRs) out of
// the cluster CIDR, which the node's agent turns into the subnet of its pods' network. Blocks in
// use are remembered in memory, seeded from the informer's cache and updated as they are handed
// out, so that two nodes never get one block even before the cache has seen the first write.
import type { KubeObject } from '@skiff/api';
import type { Informer, RestClient, InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { NODES } from '../lib/resources.ts';
import { nextFreeBlock, nodeBlock, type RangeConfig } from './plan.ts';

export interface NodeIpamControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  range: RangeConfig;
  log?: (msg: string, err?: unknown) => void;
}

export class NodeIpamController extends QueueController {
  readonly name = 'node-ipam-controller';
  private readonly client: RestClient;
  private readonly nodes: Informer;
  private readonly range: RangeConfig;
  /** Block -> node name. */
  private readonly assigned = new Map<string, string>();

  constructor(opts: NodeIpamControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.range = opts.range;
    this.nodes = opts.factory.informerFor(NODES);
    this.nodes.addEventHandler({
      onAdd: (n) => this.enqueueKey(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueueKey(n.metadata.name!),
      onDelete: (n) => this.enqueueKey(n.metadata.name!),
    });
  }

  protected async reconcile(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    // Blocks of nodes that are gone (or that the cache now shows elsewhere) are free again.
    for (const [block, holder] of [...this.assigned]) {
      const h = this.nodes.store.get(holder);
      if (!h || nodeBlock(this.range, h.spec?.podCIDR) !== block) {
        if (!h || h.spec?.podCIDR) this.assigned.delete(block);
      }
    }
    for (const n of this.nodes.store.list()) {
      const block = nodeBlock(this.range, n.spec?.podCIDR);
      if (block) this.assigned.set(block, n.metadata.name!);
    }
    if (!node || node.spec?.podCIDR) return;
    const mine = [...this.assigned].find(([, holder]) => holder === name)?.[0];
    const block = mine ?? nextFreeBlock(this.range, new Set(this.assigned.keys()));
    if (!block) {
      this.log(`${this.name}: no pod CIDR left in the cluster CIDR for node ${name}`);
      return;
    }
    this.assigned.set(block, name);
    await this.client.patch(NODES, undefined, name, { spec: { podCIDR: block, podCIDRs: [block] } } satisfies Partial<KubeObject>, 'merge');
  }
}
