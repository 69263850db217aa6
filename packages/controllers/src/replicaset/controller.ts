// The ReplicaSet controller (also serving ReplicationControllers): keeps spec.replicas pods.
//
// reconcile(key): re-read the owner and its namespace's pods from the caches, claim pods
// (adopt matching orphans, release owned pods that stopped matching), and unless expectations
// from the previous sync are still outstanding, create or delete pods per diffReplicaSet; then
// write status. Pod events only enqueue owners and settle expectations.
import { labelSelectorMatches, type KubeObject, type ResourceInfo, getControllerOf } from '@skiff/api';
import { isConflict, isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory, keyOf , type EventRecorder } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, BY_OWNER, NAMESPACE_INDEX, ORPHAN_INDEX, ORPHANS_BY_NAMESPACE, OWNER_INDEX } from '../lib/indexes.ts';
import { isPodActive } from '../lib/pod.ts';
import { PODS, REPLICATION_CONTROLLERS, REPLICA_SETS } from '../lib/resources.ts';
import { Expectations } from './expectations.ts';
import { computeAvailabilityRecheck, computePodFromTemplate, computeReplicaSetStatus, diffReplicaSet, slowStartBatch } from './plan.ts';
import { claimPods } from '../lib/claim.ts';

export const ReplicaSetEventReason = {
  SuccessfulCreate: 'SuccessfulCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedCreate: 'FailedCreate',
  FailedDelete: 'FailedDelete',
} as const;

export interface ReplicaSetControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  kind: 'ReplicaSet' | 'ReplicationController';
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
  burstReplicas?: number;
}

export class ReplicaSetController extends QueueController {
  readonly name: string;
  private readonly client: RestClient;
  private readonly resource: ResourceInfo;
  private readonly owners: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly expectations = new Expectations();
  private readonly burst?: number;
  private readonly kind: string;

  constructor(opts: ReplicaSetControllerOptions) {
    super(opts.log);
    this.kind = opts.kind;
    this.name = opts.kind === 'ReplicaSet' ? 'replicaset-controller' : 'replicationcontroller-controller';
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.burst = opts.burstReplicas;
    this.resource = opts.kind === 'ReplicaSet' ? REPLICA_SETS : REPLICATION_CONTROLLERS;
    this.owners = opts.factory.informerFor(this.resource, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX, ...ORPHAN_INDEX } });

    this.owners.addEventHandler({
      onAdd: (rs) => this.enqueueKey(keyOf(rs)),
      onUpdate: (_old, rs) => this.enqueueKey(keyOf(rs)),
      onDelete: (rs) => {
        this.expectations.forget(keyOf(rs));
        this.enqueueKey(keyOf(rs));
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => {
        const owner = this.ownerOf(pod);
        if (owner) {
          this.expectations.creationObserved(keyOf(owner));
          this.enqueueKey(keyOf(owner));
        } else if (!getControllerOf(pod)) {
          this.enqueueMatching(pod);
        }
      },
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const owner = this.ownerOf(pod);
        // A pod marked for deletion is as good as gone for expectations.
        if (owner && pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
          this.expectations.deletionObserved(keyOf(owner), keyOf(pod));
        }
        const oldOwner = this.ownerOf(old);
        if (oldOwner && oldOwner !== owner) this.enqueueKey(keyOf(oldOwner));
        if (owner) this.enqueueKey(keyOf(owner));
        if (!getControllerOf(pod) && (!owner || JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels))) this.enqueueMatching(pod);
      },
      onDelete: (pod) => {
        const owner = this.ownerOf(pod);
        if (!owner) return;
        this.expectations.deletionObserved(keyOf(owner), keyOf(pod));
        this.enqueueKey(keyOf(owner));
      },
    });
  }

  private matches(owner: KubeObject, labels: Record<string, string> | undefined): boolean {
    const selector = owner.spec?.selector;
    // A ReplicationController's selector is a plain map, defaulted from the template: empty selects nothing here.
    if (this.kind !== 'ReplicaSet' && Object.keys(selector ?? {}).length === 0) return false;
    return labelSelectorMatches(selector, labels);
  }

  /** The owner named by the pod's controller reference, if it is of our kind and the uid agrees. */
  private ownerOf(pod: KubeObject): KubeObject | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== this.kind) return undefined;
    const owner = this.owners.store.getByName(pod.metadata.namespace, ref.name);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  private enqueueMatching(pod: KubeObject): void {
    if (!pod.metadata.namespace) return;
    for (const owner of this.owners.store.byIndex(BY_NAMESPACE, pod.metadata.namespace)) {
      if (this.matches(owner, pod.metadata.labels)) this.enqueueKey(keyOf(owner));
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.owners.store.get(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const rs = cached;
    const now = Date.now();
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const owned = await this.claimPods(rs);
    const active = owned.filter(isPodActive);

    let failure: { reason: 'FailedCreate' | 'FailedDelete'; message: string } | undefined;
    let remaining = active;
    if (needsSync) {
      const diff = diffReplicaSet({ desired: rs.spec?.replicas ?? 1, pods: active, now, burst: this.burst });
      if (diff.create > 0) {
        failure = await this.createPods(key, rs, diff.create);
      } else if (diff.delete.length > 0) {
        const { failed, error } = await this.deletePods(key, rs, diff.delete);
        if (error) failure = { reason: 'FailedDelete', message: String((error as Error).message ?? error) };
        remaining = active.filter((p) => !diff.delete.includes(p) || failed.includes(p));
      }
    }

    await this.writeStatus(rs, computeReplicaSetStatus({ rs, pods: remaining, now, failure }));
    if (failure) throw new Error(`${this.kind} ${key}: ${failure.message}`);
    const recheck = computeAvailabilityRecheck(remaining, rs.spec?.minReadySeconds ?? 0, now);
    return recheck !== undefined ? { requeueAfterMs: recheck + 50 } : undefined;
  }

  /** Owned pods after adopting matching orphans and releasing owned pods that stopped matching. */
  private claimPods(rs: KubeObject): Promise<KubeObject[]> {
    // Only pods it controls and pods nobody controls can concern this owner.
    const candidates = [...this.pods.store.byIndex(BY_OWNER, rs.metadata.uid!), ...this.pods.store.byIndex(ORPHANS_BY_NAMESPACE, rs.metadata.namespace!)];
    return claimPods({ client: this.client, resource: this.resource, owner: rs, candidates, matches: (pod) => this.matches(rs, pod.metadata.labels) });
  }

  private async createPods(key: string, rs: KubeObject, count: number) {
    this.expectations.expectCreations(key, count);
    const template = computePodFromTemplate(rs);
    const { attempted, error } = await slowStartBatch(count, async () => {
      // Stopping: start no more creations (the next leader or run will pick up from the cache).
      if (this.queue.shuttingDown()) throw new Error('controller stopping');
      try {
        const pod = await this.client.create(PODS, template);
        this.recorder.normal(rs, ReplicaSetEventReason.SuccessfulCreate, `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        // This creation will never be observed.
        this.expectations.creationObserved(key);
        this.recorder.warning(rs, ReplicaSetEventReason.FailedCreate, `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    // Batches never started will not be observed either.
    for (let i = attempted; i < count; i++) this.expectations.creationObserved(key);
    return error ? { reason: 'FailedCreate' as const, message: String((error as Error).message ?? error) } : undefined;
  }

  private async deletePods(key: string, rs: KubeObject, pods: KubeObject[]) {
    this.expectations.expectDeletions(key, pods.map(keyOf));
    const failed: KubeObject[] = [];
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          this.recorder.normal(rs, ReplicaSetEventReason.SuccessfulDelete, `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, keyOf(pod));
          if (isNotFound(err)) return;
          failed.push(pod);
          error ??= err;
          this.recorder.warning(rs, ReplicaSetEventReason.FailedDelete, `Error deleting: ${(err as Error).message}`);
        }
      }),
    );
    return { failed, error };
  }

  private async writeStatus(rs: KubeObject, status: ReturnType<typeof computeReplicaSetStatus>): Promise<void> {
    const current = rs.status ?? {};
    const same = (['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const).every((f) => (current[f] ?? 0) === status[f]) &&
      JSON.stringify(current.conditions ?? []) === JSON.stringify(status.conditions ?? []);
    if (same) return;
    try {
      await this.client.updateStatus(this.resource, { ...rs, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // The owner changed meanwhile (its spec, usually): write onto the latest version once.
      const live = await this.client.get(this.resource, rs.metadata.namespace, rs.metadata.name!);
      if (live.metadata.uid !== rs.metadata.uid) return;
      await this.client.updateStatus(this.resource, { ...live, status: { ...status, observedGeneration: Math.min(status.observedGeneration, live.metadata.generation ?? 0) } });
    }
  }
}
