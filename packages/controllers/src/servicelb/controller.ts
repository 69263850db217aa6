// The service load-balancer controller (k3s's ServiceLB without its per-node pods: every node's
// kernel proxy already answers the node IPs): keeps status.loadBalancer.ingress of each
// `type: LoadBalancer` Service equal to the Ready nodes' addresses.
import { keyOf, type Informer, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { NODES, SERVICES } from '../lib/resources.ts';
import { canonicalJson } from '../deployment/hash.ts';
import { computeLoadBalancerIngress } from './plan.ts';

export interface ServiceLBControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
}

export class ServiceLBController extends QueueController {
  readonly name = 'service-lb-controller';
  private readonly client: RestClient;
  private readonly services: Informer;
  private readonly nodes: Informer;

  constructor(opts: ServiceLBControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.services = opts.factory.informerFor(SERVICES);
    this.nodes = opts.factory.informerFor(NODES);
    this.services.addEventHandler({ onAdd: (s) => this.enqueueKey(keyOf(s)), onUpdate: (_o, s) => this.enqueueKey(keyOf(s)) });
    const all = () => {
      for (const s of this.services.store.list()) if (s.spec?.type === 'LoadBalancer') this.enqueueKey(keyOf(s));
    };
    this.nodes.addEventHandler({ onAdd: all, onUpdate: all, onDelete: all });
  }

  protected async reconcile(key: string): Promise<void> {
    const svc = this.services.store.get(key);
    if (!svc) return;
    const ingress = computeLoadBalancerIngress(svc, this.nodes.store.list());
    const current = svc.status?.loadBalancer?.ingress ?? [];
    // A Service that stopped being a LoadBalancer loses its ingress too.
    if (canonicalJson(current) === canonicalJson(ingress)) return;
    await this.client.patch(SERVICES, svc.metadata.namespace, svc.metadata.name!, { status: { loadBalancer: { ingress: ingress.length ? ingress : null } } }, 'merge', { subresource: 'status' });
  }
}
