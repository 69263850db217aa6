// The garbage collector: follows ownerReferences across the kinds it watches. Queue items are
// `<group>/<plural>|<namespace/name>`; reconcile re-reads the object and applies
// computeOwnerActions (it is being deleted with a GC finalizer) or computeDependentActions.
import { resourceByKind, type KubeObject, type OwnerReference, type ResourceInfo } from '@skiff/api';
import { isConflict, isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory, keyOf } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_OWNER, OWNER_INDEX } from '../lib/indexes.ts';
import { CONTROLLER_REVISIONS, CRON_JOBS, JOBS, DAEMON_SETS, DEPLOYMENTS, PERSISTENT_VOLUME_CLAIMS, PODS, REPLICATION_CONTROLLERS, REPLICA_SETS, SERVICES, STATEFUL_SETS } from '../lib/resources.ts';
import { computeDependentActions, computeOwnerActions, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type GcAction, type OwnerState } from './plan.ts';

/** The kinds whose owners and dependents the collector follows. */
export const GC_RESOURCES: readonly ResourceInfo[] = [
  PODS,
  REPLICA_SETS,
  DEPLOYMENTS,
  REPLICATION_CONTROLLERS,
  SERVICES,
  DAEMON_SETS,
  STATEFUL_SETS,
  CONTROLLER_REVISIONS,
  PERSISTENT_VOLUME_CLAIMS,
  JOBS,
  CRON_JOBS,
];

export interface GarbageCollectorOptions {
  client: RestClient;
  factory: InformerFactory;
  resources?: readonly ResourceInfo[];
  log?: (msg: string, err?: unknown) => void;
}

const resId = (r: ResourceInfo) => `${r.group}/${r.plural}`;

export class GarbageCollector extends QueueController {
  readonly name = 'garbage-collector';
  private readonly client: RestClient;
  private readonly informers = new Map<string, { res: ResourceInfo; informer: Informer }>();
  /** uid -> where the live object is cached (the owner lookup). */
  private readonly byUid = new Map<string, { res: ResourceInfo; key: string }>();

  constructor(opts: GarbageCollectorOptions) {
    super(opts.log);
    this.client = opts.client;
    for (const res of opts.resources ?? GC_RESOURCES) {
      const informer = opts.factory.informerFor(res, { indexers: OWNER_INDEX });
      const id = resId(res);
      this.informers.set(id, { res, informer });
      informer.addEventHandler({
        onAdd: (o) => this.observe(id, res, o),
        onUpdate: (old, o) => {
          if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.observe(id, res, o);
        },
        onDelete: (o) => {
          const uid = o.metadata.uid!;
          if (this.byUid.get(uid)?.key === keyOf(o)) this.byUid.delete(uid);
          // Its dependents may now be orphans; its owners may be waiting for it.
          this.enqueueDependents(uid);
          this.enqueueOwners(o);
        },
      });
    }
  }

  private observe(id: string, res: ResourceInfo, o: KubeObject): void {
    this.byUid.set(o.metadata.uid!, { res, key: keyOf(o) });
    const finalizers = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp) {
      if (finalizers.includes(FINALIZER_FOREGROUND) || finalizers.includes(FINALIZER_ORPHAN)) this.enqueueKey(`${id}|${keyOf(o)}`);
      this.enqueueOwners(o);
    }
    if (o.metadata.ownerReferences?.length) this.enqueueKey(`${id}|${keyOf(o)}`);
  }

  private enqueueDependents(uid: string): void {
    for (const [id, { informer }] of this.informers) for (const d of informer.store.byIndex(BY_OWNER, uid)) this.enqueueKey(`${id}|${keyOf(d)}`);
  }

  private enqueueOwners(o: KubeObject): void {
    for (const ref of o.metadata.ownerReferences ?? []) {
      const at = this.byUid.get(ref.uid);
      if (at) this.enqueueKey(`${resId(at.res)}|${at.key}`);
    }
  }

  private watches(ref: OwnerReference): boolean {
    const res = resourceByKind(ref.apiVersion, ref.kind);
    return res !== undefined && this.informers.has(resId(res));
  }

  private dependentsOf(uid: string): KubeObject[] {
    return [...this.informers.values()].flatMap(({ informer }) => informer.store.byIndex(BY_OWNER, uid));
  }

  private hasDependents = (uid: string): boolean => this.dependentsOf(uid).length > 0;

  private cachedByUid(uid: string): KubeObject | undefined {
    const at = this.byUid.get(uid);
    if (!at) return undefined;
    const o = this.informers.get(resId(at.res))!.informer.store.get(at.key);
    return o?.metadata.uid === uid ? o : undefined;
  }

  protected async reconcile(item: string): Promise<ReconcileResult | void> {
    const [id, key] = item.split('|');
    const entry = this.informers.get(id);
    const obj = entry?.informer.store.get(key);
    if (!entry || !obj) return;
    const finalizers = obj.metadata.finalizers ?? [];
    if (obj.metadata.deletionTimestamp && (finalizers.includes(FINALIZER_FOREGROUND) || finalizers.includes(FINALIZER_ORPHAN))) {
      await this.apply(computeOwnerActions(obj, this.dependentsOf(obj.metadata.uid!), this.hasDependents));
      return;
    }
    const ownerState = (ref: OwnerReference): OwnerState => {
      // An owner of a kind we do not watch (a Node, a custom kind) is never judged absent.
      if (!this.watches(ref)) return 'present';
      const owner = this.cachedByUid(ref.uid);
      if (!owner) return 'absent';
      return owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND) ? 'deletingForeground' : 'present';
    };
    const actions = computeDependentActions(obj, ownerState, this.hasDependents);
    // The cache may lag behind a just-created owner: confirm absence with the server first.
    for (const a of actions) {
      if (a.kind === 'delete' || a.kind === 'removeOwnerReferences') {
        const refs = (obj.metadata.ownerReferences ?? []).filter((r) => ownerState(r) === 'absent');
        for (const ref of refs) if (await this.ownerExists(ref, obj.metadata.namespace)) return { requeueAfterMs: 1000 };
      }
    }
    await this.apply(actions);
  }

  private async ownerExists(ref: OwnerReference, namespace: string | undefined): Promise<boolean> {
    const res = resourceByKind(ref.apiVersion, ref.kind);
    if (!res) return true; // a kind we cannot look up: never collect on its account
    try {
      const live = await this.client.get(res, res.scope === 'Namespaced' ? namespace : undefined, ref.name);
      return live.metadata.uid === ref.uid;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async apply(actions: GcAction[]): Promise<void> {
    for (const a of actions) {
      const res = resourceByKind(a.object.apiVersion, a.object.kind);
      if (!res) continue;
      const { namespace, name } = a.object.metadata;
      try {
        if (a.kind === 'delete') {
          await this.client.delete(res, namespace, name!, { propagationPolicy: a.propagationPolicy, preconditions: { uid: a.object.metadata.uid } });
        } else if (a.kind === 'removeOwnerReferences') {
          const refs = (a.object.metadata.ownerReferences ?? []).filter((r) => !a.uids.includes(r.uid));
          await this.client.patch(res, namespace, name!, { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: a.object.metadata.resourceVersion } }, 'merge');
        } else {
          const finalizers = (a.object.metadata.finalizers ?? []).filter((f) => f !== a.finalizer);
          await this.client.patch(res, namespace, name!, { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: a.object.metadata.resourceVersion } }, 'merge');
        }
      } catch (err) {
        if (isNotFound(err)) continue;
        if (isConflict(err)) throw err; // re-read and decide again
        throw err;
      }
    }
  }
}
