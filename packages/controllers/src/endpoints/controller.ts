// The Endpoints controller: for each Service with a selector, an Endpoints object listing its
// pods' addresses (ready and not ready) and resolved ports.
import { type KubeObject } from '@skiff/api';
import { isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory, keyOf } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { enqueueSelectingServices } from '../lib/selecting-services.ts';
import { BY_NAMESPACE, NAMESPACE_INDEX, OWNER_INDEX } from '../lib/indexes.ts';
import { ENDPOINTS, PODS, SERVICES } from '../lib/resources.ts';
import { computeEndpointSubsets, computeEndpoints } from './plan.ts';
import { canonicalJson } from '../deployment/hash.ts';

export interface EndpointsControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
}

export class EndpointsController extends QueueController {
  readonly name = 'endpoints-controller';
  private readonly client: RestClient;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;

  constructor(opts: EndpointsControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.services = opts.factory.informerFor(SERVICES, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX } });
    this.endpoints = opts.factory.informerFor(ENDPOINTS);

    this.services.addEventHandler({
      onAdd: (s) => this.enqueueKey(keyOf(s)),
      onUpdate: (_o, s) => this.enqueueKey(keyOf(s)),
      onDelete: (s) => this.enqueueKey(keyOf(s)),
    });
    this.pods.addEventHandler(enqueueSelectingServices(this.services, (k) => this.enqueueKey(k)));
    this.endpoints.addEventHandler({
      onUpdate: (_o, e) => this.enqueueKey(keyOf(e)),
      onDelete: (e) => this.enqueueKey(keyOf(e)),
    });
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const service = this.services.store.get(key);
    const existing = this.endpoints.store.get(key);
    if (!service) {
      // The Service is gone: so are the Endpoints we kept for it.
      if (existing) await this.client.delete(ENDPOINTS, existing.metadata.namespace, existing.metadata.name!).catch((err) => { if (!isNotFound(err)) throw err; });
      return;
    }
    const subsets = computeEndpointSubsets(service, this.pods.store.byIndex(BY_NAMESPACE, service.metadata.namespace!));
    if (subsets === undefined) return; // no selector: the user manages these Endpoints
    const desired = computeEndpoints(service, subsets);
    if (existing && canonicalJson(existing.subsets ?? []) === canonicalJson(subsets) && canonicalJson(existing.metadata.labels ?? {}) === canonicalJson(desired.metadata.labels ?? {})) return;
    // A stale cache shows up as a Conflict or AlreadyExists: thrown, retried from fresh state.
    if (existing) {
      await this.client.update(ENDPOINTS, { ...existing, metadata: { ...existing.metadata, labels: desired.metadata.labels }, subsets });
    } else {
      await this.client.create(ENDPOINTS, desired);
    }
  }
}
