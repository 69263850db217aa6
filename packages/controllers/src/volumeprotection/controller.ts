// The pvc-protection and pv-protection controllers: they take the `kubernetes.io/pvc-protection`
// and `kubernetes.io/pv-protection` finalizers off deleted claims and volumes once nothing uses
// them, as kube-controller-manager's do; plan.ts decides, this applies.
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER, type KubeObject } from '@skiff/api';
import { isConflict, isNotFound, keyOf, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, NAMESPACE_INDEX } from '../lib/indexes.ts';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS } from '../lib/resources.ts';
import { claimsOf, finalizerPatch, planClaimProtection, planVolumeProtection } from './plan.ts';

export interface ProtectionControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
}

export class PVCProtectionController extends QueueController {
  readonly name = 'persistentvolumeclaim-protection-controller';
  private readonly client: RestClient;
  private readonly claims: Informer;
  private readonly pods: Informer;

  constructor(opts: ProtectionControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.claims = opts.factory.informerFor(PERSISTENT_VOLUME_CLAIMS);
    this.pods = opts.factory.informerFor(PODS, { indexers: NAMESPACE_INDEX });
    this.claims.addEventHandler({ onAdd: (c) => this.enqueueKey(keyOf(c)), onUpdate: (_o, c) => this.enqueueKey(keyOf(c)) });
    // A pod going away (or being scheduled) changes whether its claims are in use.
    const podChanged = (p: KubeObject) => {
      for (const name of claimsOf(p)) this.enqueueKey(`${p.metadata.namespace}/${name}`);
    };
    this.pods.addEventHandler({ onUpdate: (o, p) => o.spec?.nodeName !== p.spec?.nodeName && podChanged(p), onDelete: podChanged });
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const claim = this.claims.store.get(key);
    if (!claim) return;
    const ns = claim.metadata.namespace!;
    let action = planClaimProtection(claim, this.pods.store.byIndex(BY_NAMESPACE, ns));
    // The cache may not have seen a pod made a moment ago: ask the API server before letting go,
    // as Kubernetes does (a claim removed under a starting pod is data lost).
    if (action.type === 'remove-finalizer') action = planClaimProtection(claim, (await this.client.list(PODS, { namespace: ns })).items);
    if (action.type === 'none') return;
    await patch(() => this.client.patch(PERSISTENT_VOLUME_CLAIMS, ns, claim.metadata.name!, finalizerPatch(claim, PVC_PROTECTION_FINALIZER, action.type), 'merge'));
  }
}

export class PVProtectionController extends QueueController {
  readonly name = 'persistentvolume-protection-controller';
  private readonly client: RestClient;
  private readonly volumes: Informer;

  constructor(opts: ProtectionControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.volumes = opts.factory.informerFor(PERSISTENT_VOLUMES);
    this.volumes.addEventHandler({ onAdd: (v) => this.enqueueKey(v.metadata.name!), onUpdate: (_o, v) => this.enqueueKey(v.metadata.name!) });
  }

  protected async reconcile(name: string): Promise<ReconcileResult | void> {
    const pv = this.volumes.store.get(name);
    if (!pv) return;
    const action = planVolumeProtection(pv);
    if (action.type === 'none') return;
    await patch(() => this.client.patch(PERSISTENT_VOLUMES, '', name, finalizerPatch(pv, PV_PROTECTION_FINALIZER, action.type), 'merge'));
  }
}

/** A stale cache (conflict) or an object gone meanwhile: the next event brings another pass. */
async function patch(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isConflict(err) || isNotFound(err)) return;
    throw err;
  }
}
