// The Deployment controller: one ReplicaSet per pod template, rolled per the strategy.
//
// reconcile(key): re-read the deployment, claim its ReplicaSets, let planRollout decide, apply
// the plan (create / scale / delete ReplicaSets, the revision annotation, events), write status.
import { labelSelectorMatches, type KubeObject, getControllerOf, newControllerRef } from '@skiff/api';
import { isAlreadyExists, isConflict, isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory, keyOf , type EventRecorder } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, BY_OWNER, NAMESPACE_INDEX, OWNER_INDEX } from '../lib/indexes.ts';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../lib/resources.ts';
import { decideClaim } from '../replicaset/plan.ts';
import { templatesEqualIgnoringHash } from './hash.ts';
import { DeploymentEventReason, planRollout, type RolloutPlan } from './plan.ts';
import { REVISION_ANNOTATION } from './revision.ts';
import type { DeploymentStatus } from './status.ts';

export interface DeploymentControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
}

export class DeploymentController extends QueueController {
  readonly name = 'deployment-controller';
  private readonly client: RestClient;
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;

  constructor(opts: DeploymentControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.deployments = opts.factory.informerFor(DEPLOYMENTS, { indexers: NAMESPACE_INDEX });
    this.replicaSets = opts.factory.informerFor(REPLICA_SETS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX } });
    this.pods = opts.factory.informerFor(PODS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX } });

    this.deployments.addEventHandler({
      onAdd: (d) => this.enqueueKey(keyOf(d)),
      onUpdate: (_o, d) => this.enqueueKey(keyOf(d)),
      onDelete: (d) => this.enqueueKey(keyOf(d)),
    });
    const onReplicaSet = (rs: KubeObject) => {
      const d = this.deploymentOf(rs);
      if (d) return this.enqueueKey(keyOf(d));
      if (getControllerOf(rs)) return;
      // An orphan: any deployment that selects it may adopt it.
      for (const dep of this.deployments.store.byIndex(BY_NAMESPACE, rs.metadata.namespace!)) {
        if (labelSelectorMatches(dep.spec?.selector, rs.metadata.labels)) this.enqueueKey(keyOf(dep));
      }
    };
    this.replicaSets.addEventHandler({
      onAdd: onReplicaSet,
      onUpdate: (old, rs) => {
        if (old.metadata.resourceVersion === rs.metadata.resourceVersion) return;
        const before = this.deploymentOf(old);
        if (before && before !== this.deploymentOf(rs)) this.enqueueKey(keyOf(before));
        onReplicaSet(rs);
      },
      onDelete: onReplicaSet,
    });
    // Recreate waits for old pods to be gone: their deletions matter.
    this.pods.addEventHandler({
      onDelete: (pod) => {
        const ref = getControllerOf(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = this.replicaSets.store.getByName(pod.metadata.namespace, ref.name);
        const d = rs && this.deploymentOf(rs);
        if (d && d.spec?.strategy?.type === 'Recreate') this.enqueueKey(keyOf(d));
      },
    });
  }

  private deploymentOf(rs: KubeObject): KubeObject | undefined {
    const ref = getControllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.store.getByName(rs.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const d = this.deployments.store.get(key);
    if (!d) return;
    const selector = d.spec?.selector;
    if (!selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) {
      this.recorder.warning(d, DeploymentEventReason.SelectingAll, 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const replicaSets = await this.claimReplicaSets(d);
    const pods = replicaSets.flatMap((rs) => this.pods.store.byIndex(BY_OWNER, rs.metadata.uid!));
    const plan = planRollout({ deployment: d, replicaSets, pods, now: Date.now() });
    await this.apply(d, plan);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  private async claimReplicaSets(d: KubeObject): Promise<KubeObject[]> {
    const owned: KubeObject[] = [];
    for (const rs of this.replicaSets.store.byIndex(BY_NAMESPACE, d.metadata.namespace!)) {
      const decision = decideClaim({ ownerUid: d.metadata.uid!, ownerDeleting: Boolean(d.metadata.deletionTimestamp), pod: rs, matches: labelSelectorMatches(d.spec.selector, rs.metadata.labels) });
      if (decision === 'own') owned.push(rs);
      else if (decision === 'adopt' || decision === 'release') {
        const refs = decision === 'adopt' ? [...(rs.metadata.ownerReferences ?? []), newControllerRef(d)] : (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid);
        try {
          const updated = await this.client.patch(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!, { metadata: { ownerReferences: refs, resourceVersion: rs.metadata.resourceVersion } }, 'merge');
          if (decision === 'adopt') owned.push(updated);
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      }
    }
    return owned;
  }

  private async apply(d: KubeObject, plan: RolloutPlan): Promise<void> {
    if (plan.create) await this.createReplicaSet(d, plan.create);
    for (const rs of plan.update) await this.client.update(REPLICA_SETS, rs);
    for (const e of plan.events) this.recorder.record(d, e.type, e.reason, e.message);
    for (const rs of plan.delete) {
      try {
        await this.client.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    let current = d;
    if (plan.revision) {
      current = await this.client.patch(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!, { metadata: { annotations: { [REVISION_ANNOTATION]: plan.revision } } }, 'merge');
    }
    if (!statusEqual(d.status, plan.status)) {
      await this.client.updateStatus(DEPLOYMENTS, { ...current, status: plan.status });
    }
  }

  /** Creates the new ReplicaSet; a name taken by a different template bumps collisionCount. */
  private async createReplicaSet(d: KubeObject, rs: KubeObject): Promise<void> {
    try {
      await this.client.create(REPLICA_SETS, rs);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.client.get(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!);
      const ours = getControllerOf(existing)?.uid === d.metadata.uid;
      if (ours && templatesEqualIgnoringHash(existing.spec?.template, d.spec?.template)) {
        throw new Error(`replica set ${rs.metadata.name} exists but is not in the cache yet`);
      }
      const collisionCount = (d.status?.collisionCount ?? 0) + 1;
      await this.client.updateStatus(DEPLOYMENTS, { ...d, status: { ...(d.status ?? {}), collisionCount } });
      throw new Error(`hash collision for replica set ${rs.metadata.name}; collisionCount is now ${collisionCount}`);
    }
  }
}

function statusEqual(a: Partial<DeploymentStatus> | undefined, b: DeploymentStatus): boolean {
  if (!a) return false;
  const fields = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const;
  if (!fields.every((f) => (a[f] ?? 0) === (b[f] ?? 0))) return false;
  return JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions);
}
