// The cluster DNS Service and its Endpoints (./plan.ts), kept by the controller manager: one key;
// a node added or deleted, a node's pod CIDR changed, or the Service or Endpoints changed queues
// it (node heartbeats do not).
import type { KubeObject } from '@skiff/api';
import { isAlreadyExists, isConflict, isNotFound, type Informer, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { ENDPOINTS, NODES, SERVICES } from '../lib/resources.ts';
import { CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE, planClusterDNS } from './plan.ts';

const KEY = `${CLUSTER_DNS_NAMESPACE}/${CLUSTER_DNS_SERVICE}`;

export class ClusterDNSController extends QueueController {
  readonly name = 'clusterdns';
  private readonly client: RestClient;
  private readonly nodes: Informer;
  private readonly services: Informer;
  private readonly endpoints: Informer;

  constructor(opts: { client: RestClient; factory: InformerFactory; log?: (msg: string, err?: unknown) => void }) {
    super(opts.log);
    this.client = opts.client;
    this.nodes = opts.factory.informerFor(NODES);
    const one = { namespace: CLUSTER_DNS_NAMESPACE, fieldSelector: `metadata.name=${CLUSTER_DNS_SERVICE}` };
    this.services = opts.factory.informerFor(SERVICES, one);
    this.endpoints = opts.factory.informerFor(ENDPOINTS, one);
    const queue = () => this.enqueueKey(KEY);
    this.nodes.addEventHandler({
      onAdd: queue,
      onDelete: queue,
      onUpdate: (o: KubeObject, n: KubeObject) => {
        if (o.spec?.podCIDR !== n.spec?.podCIDR) queue();
      },
    });
    for (const inf of [this.services, this.endpoints]) inf.addEventHandler({ onAdd: queue, onUpdate: queue, onDelete: queue });
    queue();
  }

  protected async reconcile(): Promise<void> {
    const plan = planClusterDNS(this.nodes.store.list(), this.services.store.get(KEY), this.endpoints.store.get(KEY));
    try {
      if (plan.createService) await this.client.create(SERVICES, plan.createService);
      if (plan.endpoints && 'create' in plan.endpoints) await this.client.create(ENDPOINTS, plan.endpoints.create);
      else if (plan.endpoints) await this.client.update(ENDPOINTS, plan.endpoints.update);
    } catch (err) {
      // Written meanwhile (a stale cache): its event queues the key again.
      if (isAlreadyExists(err) || isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}
