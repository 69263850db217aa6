// The StatefulSet controller: pods with stable names, storage and network identities, created,
// deleted and updated in ordinal order.
//
// reconcile(key): re-read the set, its pods, its ControllerRevisions and the namespace's claims
// from the caches; make sure its template is stored as the newest revision; apply planStatefulSet
// (claim owners, then claims, then pods: creations in order, deletions in order); trim the
// history; write status. Stable names make a duplicate impossible: a second create of one ordinal
// is refused by the API server, so the controller needs no expectations.
import { getControllerOf, labelSelectorMatches, type KubeObject } from '@skiff/api';
import { isAlreadyExists, isConflict, isNotFound, keyOf, type EventRecorder, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, BY_OWNER, NAMESPACE_INDEX, ORPHAN_INDEX, ORPHANS_BY_NAMESPACE, OWNER_INDEX } from '../lib/indexes.ts';
import { claimPods } from '../lib/claim.ts';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../lib/resources.ts';
import { ensureUpdateRevision, truncateHistory } from '../history/apply.ts';
import { planStatefulSet, revisionOfPod, type StatefulSetPlan, type StatefulSetStatus } from './plan.ts';

export const StatefulSetEventReason = {
  SuccessfulCreate: 'SuccessfulCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedCreate: 'FailedCreate',
  FailedDelete: 'FailedDelete',
} as const;

export interface StatefulSetControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
}

export class StatefulSetController extends QueueController {
  readonly name = 'statefulset-controller';
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly claims: Informer;
  private readonly revisions: Informer;

  constructor(opts: StatefulSetControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.sets = opts.factory.informerFor(STATEFUL_SETS, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX, ...ORPHAN_INDEX } });
    this.claims = opts.factory.informerFor(PERSISTENT_VOLUME_CLAIMS, { indexers: NAMESPACE_INDEX });
    this.revisions = opts.factory.informerFor(CONTROLLER_REVISIONS, { indexers: OWNER_INDEX });

    this.sets.addEventHandler({
      onAdd: (sts) => this.enqueueKey(keyOf(sts)),
      onUpdate: (_old, sts) => this.enqueueKey(keyOf(sts)),
      onDelete: (sts) => this.enqueueKey(keyOf(sts)),
    });
    const onPod = (pod: KubeObject) => {
      const sts = this.ownerOf(pod);
      if (sts) this.enqueueKey(keyOf(sts));
      else this.enqueueAdopters(pod);
    };
    this.pods.addEventHandler({
      onAdd: onPod,
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion !== pod.metadata.resourceVersion) onPod(pod);
      },
      onDelete: onPod,
    });
    // A claim deleted under a running set is made again; a claim's owners follow the policy.
    this.claims.addEventHandler({
      onDelete: (claim) => {
        for (const sts of this.sets.store.byIndex(BY_NAMESPACE, claim.metadata.namespace!)) this.enqueueKey(keyOf(sts));
      },
    });
    this.revisions.addEventHandler({ onDelete: onPod });
  }

  private ownerOf(obj: KubeObject): KubeObject | undefined {
    const ref = getControllerOf(obj);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const sts = this.sets.store.getByName(obj.metadata.namespace, ref.name);
    return sts && sts.metadata.uid === ref.uid ? sts : undefined;
  }

  /** An orphan pod: the StatefulSets of its namespace that select it may adopt it. */
  private enqueueAdopters(pod: KubeObject): void {
    if (getControllerOf(pod) || !pod.metadata.namespace || pod.metadata.deletionTimestamp) return;
    for (const owner of this.sets.store.byIndex(BY_NAMESPACE, pod.metadata.namespace)) {
      if (labelSelectorMatches(owner.spec?.selector, pod.metadata.labels)) this.enqueueKey(keyOf(owner));
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const sts = this.sets.store.get(key);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const ns = sts.metadata.namespace!;
    const uid = sts.metadata.uid!;
    const revisions = this.revisions.store.byIndex(BY_OWNER, uid).filter((r) => r.metadata.namespace === ns);
    const { revision: updateRevision, collisionCount } = await ensureUpdateRevision(this.client, sts, revisions);
    const currentRevision = revisions.find((r) => r.metadata.name === sts.status?.currentRevision) ?? updateRevision;
    const candidates = [...this.pods.store.byIndex(BY_OWNER, uid), ...this.pods.store.byIndex(ORPHANS_BY_NAMESPACE, ns)];
    const pods = await claimPods({ client: this.client, resource: STATEFUL_SETS, owner: sts, candidates, matches: (p) => labelSelectorMatches(sts.spec?.selector, p.metadata.labels) });
    const claims = new Map(this.claims.store.byIndex(BY_NAMESPACE, ns).map((c) => [c.metadata.name!, c]));
    const plan = planStatefulSet({ sts, pods, claims, currentRevision, updateRevision, now: Date.now() });

    const failure = await this.apply(sts, plan);
    const live = new Set([currentRevision.metadata.name!, updateRevision.metadata.name!, ...pods.map((p) => revisionOfPod(p) ?? '')]);
    await truncateHistory(this.client, sts, revisions, live);
    await this.writeStatus(sts, { ...plan.status, ...(collisionCount > 0 ? { collisionCount } : {}) });
    if (failure) throw failure;
    return plan.recheckMs !== undefined ? { requeueAfterMs: plan.recheckMs + 50 } : undefined;
  }

  /** Claim owners, claims, then pods; returns the first failure (the sync is retried). */
  private async apply(sts: KubeObject, plan: StatefulSetPlan): Promise<unknown> {
    for (const { claim, ownerReferences } of plan.claimOwners) {
      await this.client
        .patch(PERSISTENT_VOLUME_CLAIMS, claim.metadata.namespace, claim.metadata.name!, { metadata: { ownerReferences, resourceVersion: claim.metadata.resourceVersion } }, 'merge')
        .catch((err) => {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        });
    }
    for (const claim of plan.createClaims) {
      try {
        await this.client.create(PERSISTENT_VOLUME_CLAIMS, claim);
        this.recorder.normal(sts, StatefulSetEventReason.SuccessfulCreate, `create Claim ${claim.metadata.name} in StatefulSet ${sts.metadata.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.recorder.warning(sts, StatefulSetEventReason.FailedCreate, `create Claim ${claim.metadata.name} for StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
        return err;
      }
    }
    for (const pod of plan.createPods) {
      try {
        await this.client.create(PODS, pod);
        this.recorder.normal(sts, StatefulSetEventReason.SuccessfulCreate, `create Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
      } catch (err) {
        // Our cache had not seen it yet.
        if (isAlreadyExists(err)) continue;
        this.recorder.warning(sts, StatefulSetEventReason.FailedCreate, `create Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
        return err;
      }
    }
    for (const pod of plan.deletePods) {
      try {
        await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
        this.recorder.normal(sts, StatefulSetEventReason.SuccessfulDelete, `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
      } catch (err) {
        if (isNotFound(err) || isConflict(err)) continue;
        this.recorder.warning(sts, StatefulSetEventReason.FailedDelete, `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
        return err;
      }
    }
    return undefined;
  }

  private async writeStatus(sts: KubeObject, status: StatefulSetStatus): Promise<void> {
    const current = sts.status ?? {};
    if ((Object.keys(status) as (keyof StatefulSetStatus)[]).every((k) => current[k] === status[k])) return;
    try {
      await this.client.updateStatus(STATEFUL_SETS, { ...sts, status: { ...current, ...status } });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      this.enqueueKey(keyOf(sts));
    }
  }
}
