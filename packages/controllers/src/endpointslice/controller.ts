// The EndpointSlice controller (and, for Services without a selector, the EndpointSlice mirroring
// controller): keeps each Service's discovery.k8s.io/v1 EndpointSlices in step with its pods (or
// its user-managed Endpoints), as ./plan.ts computes them. The slices carry the Service as their
// controller owner; they are deleted with it.
import { ENDPOINT_SLICES, SERVICE_NAME_LABEL, type KubeObject } from '@skiff/api';
import { isNotFound, keyOf, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { enqueueSelectingServices } from '../lib/selecting-services.ts';
import { BY_NAMESPACE, NAMESPACE_INDEX } from '../lib/indexes.ts';
import { ENDPOINTS, PODS, SERVICES } from '../lib/resources.ts';
import { computeEndpointGroups, MANAGED_BY_CONTROLLER, MANAGED_BY_LABEL, MANAGED_BY_MIRRORING, mirrorEndpointGroups, planEndpointSlices } from './plan.ts';

const BY_SERVICE = 'endpointslice.byService';
const byService = (s: KubeObject): string[] => {
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc && s.metadata.namespace ? [`${s.metadata.namespace}/${svc}`] : [];
};

export interface EndpointSliceControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
}

export class EndpointSliceController extends QueueController {
  readonly name = 'endpointslice-controller';
  private readonly client: RestClient;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly slices: Informer;

  constructor(opts: EndpointSliceControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.services = opts.factory.informerFor(SERVICES, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: NAMESPACE_INDEX });
    this.endpoints = opts.factory.informerFor(ENDPOINTS);
    this.slices = opts.factory.informerFor(ENDPOINT_SLICES, { indexers: { [BY_SERVICE]: byService } });

    const service = { onAdd: (s: KubeObject) => this.enqueueKey(keyOf(s)), onUpdate: (_o: KubeObject, s: KubeObject) => this.enqueueKey(keyOf(s)), onDelete: (s: KubeObject) => this.enqueueKey(keyOf(s)) };
    this.services.addEventHandler(service);
    // Mirroring follows the Endpoints of Services without a selector (same key as the Service).
    this.endpoints.addEventHandler(service);
    this.pods.addEventHandler(enqueueSelectingServices(this.services, (k) => this.enqueueKey(k)));
    // A slice changed or removed behind our back is put right.
    const slice = (s: KubeObject) => byService(s).forEach((k) => this.enqueueKey(k));
    this.slices.addEventHandler({ onUpdate: (_o, s) => slice(s), onDelete: slice });
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const service = this.services.store.get(key);
    const all = this.slices.store.byIndex(BY_SERVICE, key);
    const ours = all.filter((s) => [MANAGED_BY_CONTROLLER, MANAGED_BY_MIRRORING].includes(s.metadata.labels?.[MANAGED_BY_LABEL] ?? ''));
    // The Service is gone (or is an ExternalName, which has no endpoints): so are its slices.
    if (!service || service.spec?.type === 'ExternalName') return this.remove(ours);
    const pods = this.pods.store.byIndex(BY_NAMESPACE, service.metadata.namespace!);
    const selected = computeEndpointGroups(service, pods);
    const managedBy = selected ? MANAGED_BY_CONTROLLER : MANAGED_BY_MIRRORING;
    // Without a selector, and without Endpoints to mirror, there is nothing to publish.
    // Endpoints marked skip-mirror (the `kubernetes` Service's: the API servers write its slices) are not mirrored.
    const stored = this.endpoints.store.get(key);
    const mirrored = stored?.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] === 'true' ? undefined : stored;
    const groups = selected ?? mirrorEndpointGroups(mirrored);
    const existing = all.filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === managedBy && s.metadata.ownerReferences?.some((r) => r.uid === service.metadata.uid));
    // Slices this controller made under the other role (a selector added or removed) go.
    const stale = ours.filter((s) => !existing.includes(s));
    const plan = !selected && !mirrored ? { create: [], update: [], remove: existing } : planEndpointSlices(service, groups, existing, managedBy);
    // Creates before deletes, so that a proxy never sees the Service without its endpoints.
    for (const s of plan.create) await this.client.create(ENDPOINT_SLICES, s);
    for (const s of plan.update) await this.client.update(ENDPOINT_SLICES, s);
    await this.remove([...plan.remove, ...stale]);
  }

  private async remove(slices: readonly KubeObject[]): Promise<void> {
    for (const s of slices) {
      await this.client.delete(ENDPOINT_SLICES, s.metadata.namespace, s.metadata.name!).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }
}
