// The PersistentVolume binder: binds claims to volumes and keeps both phases, as Kubernetes' PV
// controller does; plan.ts decides, this applies. Provisioning for class `local` is the node
// agent's (it must make the volume on the node the scheduler chose): see docs/adr/0011-volumes-and-local-provisioner.md.
import type { KubeObject, ResourceInfo } from '@skiff/api';
import { isConflict, isNotFound, keyOf, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from '../lib/resources.ts';
import { BIND_COMPLETED_ANNOTATION, BOUND_BY_CONTROLLER_ANNOTATION, planClaim, planVolume } from './plan.ts';

export interface PersistentVolumeControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
}

const CLAIM = 'claim:';
const VOLUME = 'volume:';

export class PersistentVolumeController extends QueueController {
  readonly name = 'persistentvolume-binder-controller';
  private readonly client: RestClient;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;

  constructor(opts: PersistentVolumeControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.claims = opts.factory.informerFor(PERSISTENT_VOLUME_CLAIMS as ResourceInfo);
    this.volumes = opts.factory.informerFor(PERSISTENT_VOLUMES as ResourceInfo);
    this.classes = opts.factory.informerFor(STORAGE_CLASSES as ResourceInfo);
    const claimChanged = (c: KubeObject) => {
      this.enqueueKey(CLAIM + keyOf(c));
      // The volumes bound or pre-bound to it follow (Released when it goes).
      for (const v of this.volumes.store.list()) if (v.spec?.claimRef?.name === c.metadata.name && v.spec?.claimRef?.namespace === c.metadata.namespace) this.enqueueKey(VOLUME + v.metadata.name);
    };
    const volumeChanged = (v: KubeObject) => {
      this.enqueueKey(VOLUME + v.metadata.name);
      const ref = v.spec?.claimRef;
      if (ref?.name) this.enqueueKey(`${CLAIM}${ref.namespace}/${ref.name}`);
      // A new free volume may fit a waiting claim.
      if (!ref) for (const c of this.claims.store.list()) if (!c.spec?.volumeName) this.enqueueKey(CLAIM + keyOf(c));
    };
    this.claims.addEventHandler({ onAdd: claimChanged, onUpdate: (_o, c) => claimChanged(c), onDelete: claimChanged });
    this.volumes.addEventHandler({ onAdd: volumeChanged, onUpdate: (_o, v) => volumeChanged(v), onDelete: volumeChanged });
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    try {
      if (key.startsWith(CLAIM)) await this.syncClaim(key.slice(CLAIM.length));
      else await this.syncVolume(key.slice(VOLUME.length));
    } catch (err) {
      // A stale cache: the next event brings the current object and another pass.
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }

  private async syncClaim(key: string): Promise<void> {
    const claim = this.claims.store.get(key);
    if (!claim) return;
    const cls = this.classes.store.get(claim.spec?.storageClassName ?? '');
    const action = planClaim(claim, this.volumes.store.list(), cls?.volumeBindingMode as string | undefined);
    const ns = claim.metadata.namespace!;
    switch (action.type) {
      case 'set-volume-name':
        await this.client.update(PERSISTENT_VOLUME_CLAIMS as ResourceInfo, {
          ...claim,
          metadata: { ...claim.metadata, annotations: { ...claim.metadata.annotations, [BIND_COMPLETED_ANNOTATION]: 'yes' } },
          spec: { ...claim.spec, volumeName: action.volumeName },
        });
        return;
      case 'claim-volume': {
        const v = action.volume;
        const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: claim.metadata.name, uid: claim.metadata.uid, resourceVersion: claim.metadata.resourceVersion };
        await this.client.update(PERSISTENT_VOLUMES as ResourceInfo, {
          ...v,
          metadata: { ...v.metadata, annotations: { ...v.metadata.annotations, [BOUND_BY_CONTROLLER_ANNOTATION]: 'yes' } },
          spec: { ...v.spec, claimRef },
        });
        return;
      }
      case 'claim-status': {
        const status = action.phase === 'Bound' ? { phase: 'Bound', accessModes: action.volume!.spec?.accessModes, capacity: action.volume!.spec?.capacity } : { phase: action.phase };
        await this.client.patch(PERSISTENT_VOLUME_CLAIMS as ResourceInfo, ns, claim.metadata.name!, { status }, 'merge', { subresource: 'status' });
        return;
      }
      default:
        return;
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const pv = this.volumes.store.get(name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    const claim = ref?.name ? this.claims.store.get(`${ref.namespace}/${ref.name}`) : undefined;
    const action = planVolume(pv, claim);
    if (action.type === 'none') return;
    await this.client.patch(PERSISTENT_VOLUMES as ResourceInfo, '', name, { status: { phase: action.phase, message: action.message ?? null } }, 'merge', { subresource: 'status' });
  }
}
