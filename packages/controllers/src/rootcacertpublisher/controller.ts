// The root CA publisher: keeps `kube-root-ca.crt` (./plan.ts) in every namespace, made again when
// deleted and put back when changed. Keys are namespace names; a new or changed namespace, or a
// change to one of these ConfigMaps, queues its namespace.
import { ApiError, isAlreadyExists, isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import type { KubeObject } from '@skiff/api';
import { QueueController } from '../lib/controller.ts';
import { CONFIG_MAPS, NAMESPACES } from '../lib/resources.ts';
import { planRootCAConfigMap, ROOT_CA_CONFIG_MAP } from './plan.ts';

export interface RootCACertPublisherOptions {
  client: RestClient;
  factory: InformerFactory;
  /** PEM of the CA that verifies the API server. */
  rootCA: string;
  log?: (msg: string, err?: unknown) => void;
}

export class RootCACertPublisher extends QueueController {
  readonly name = 'root-ca-cert-publisher';
  private readonly client: RestClient;
  private readonly rootCA: string;
  private readonly namespaces: Informer;
  private readonly configMaps: Informer;

  constructor(opts: RootCACertPublisherOptions) {
    super(opts.log);
    this.client = opts.client;
    this.rootCA = opts.rootCA;
    this.namespaces = opts.factory.informerFor(NAMESPACES);
    this.configMaps = opts.factory.informerFor(CONFIG_MAPS, { fieldSelector: `metadata.name=${ROOT_CA_CONFIG_MAP}` });
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.enqueueKey(ns.metadata.name!),
      onUpdate: (_old, ns) => this.enqueueKey(ns.metadata.name!),
    });
    const changed = (cm: KubeObject) => this.enqueueKey(cm.metadata.namespace!);
    this.configMaps.addEventHandler({ onUpdate: (_old, cm) => changed(cm), onDelete: changed });
  }

  protected async reconcile(namespace: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.store.get(namespace);
    if (!ns) return;
    const plan = planRootCAConfigMap(ns, this.configMaps.store.get(`${namespace}/${ROOT_CA_CONFIG_MAP}`), this.rootCA);
    if (!plan) return;
    try {
      if ('create' in plan) await this.client.create(CONFIG_MAPS, plan.create);
      else await this.client.update(CONFIG_MAPS, plan.update);
    } catch (err) {
      // Made meanwhile (a stale cache: its event queues the namespace again), or the namespace went away.
      if (isAlreadyExists(err) || isNotFound(err)) return;
      // A namespace that started terminating refuses creates; the next event re-reads it.
      if (err instanceof ApiError && err.code === 403) return;
      throw err;
    }
  }
}
