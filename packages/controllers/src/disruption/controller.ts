// The disruption controller: keeps every PodDisruptionBudget's status (currentHealthy,
// desiredHealthy, expectedPods, disruptionsAllowed, disruptedPods, the DisruptionAllowed
// condition), which the API server's pods/eviction reads and decrements, as Kubernetes'
// disruption controller does.
//
// reconcile(key): re-read the budget and the pods of its namespace it selects from the caches; for
// percentages and maxUnavailable, the scale of the pods' controllers (ReplicationController,
// ReplicaSet, or the Deployment above it, StatefulSet); plan with planBudgetStatus; write the status
// when it differs. A budget whose pods cannot be counted allows no disruption (failSafe). Pod events
// enqueue the budgets that select the pod; a controller's scale change those of its namespace.
import { budgetCoversPod, getControllerOf, type KubeObject, type OwnerReference } from '@skiff/api';
import { isConflict, isNotFound, keyOf, type EventRecorder, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, NAMESPACE_INDEX } from '../lib/indexes.ts';
import { DEPLOYMENTS, PODS, POD_DISRUPTION_BUDGETS, REPLICA_SETS, REPLICATION_CONTROLLERS, STATEFUL_SETS } from '../lib/resources.ts';
import { budgetStatusEqual, planBudgetStatus, planFailSafeStatus, type BudgetStatus } from './plan.ts';

export const DisruptionEventReason = {
  NoPods: 'NoPods',
  CalculateExpectedPodCountFailed: 'CalculateExpectedPodCountFailed',
  UnmanagedPods: 'UnmanagedPods',
} as const;

export interface DisruptionControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
  now?: () => number;
}

export class DisruptionController extends QueueController {
  readonly name = 'disruption-controller';
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly budgets: Informer;
  private readonly pods: Informer;
  private readonly replicationControllers: Informer;
  private readonly replicaSets: Informer;
  private readonly deployments: Informer;
  private readonly statefulSets: Informer;

  constructor(opts: DisruptionControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.now = opts.now ?? Date.now;
    this.budgets = opts.factory.informerFor(POD_DISRUPTION_BUDGETS, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: NAMESPACE_INDEX });
    this.replicationControllers = opts.factory.informerFor(REPLICATION_CONTROLLERS, { indexers: NAMESPACE_INDEX });
    this.replicaSets = opts.factory.informerFor(REPLICA_SETS, { indexers: NAMESPACE_INDEX });
    this.deployments = opts.factory.informerFor(DEPLOYMENTS, { indexers: NAMESPACE_INDEX });
    this.statefulSets = opts.factory.informerFor(STATEFUL_SETS, { indexers: NAMESPACE_INDEX });

    this.budgets.addEventHandler({
      onAdd: (pdb) => this.enqueueKey(keyOf(pdb)),
      onUpdate: (_old, pdb) => this.enqueueKey(keyOf(pdb)),
    });
    this.pods.addEventHandler({
      onAdd: (pod) => this.enqueueBudgetsOf(pod),
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        this.enqueueBudgetsOf(pod);
        if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) this.enqueueBudgetsOf(old);
      },
      onDelete: (pod) => this.enqueueBudgetsOf(pod),
    });
    // Percentages and maxUnavailable are taken of the controllers' scale: a scale change moves them.
    const onScale = (old: KubeObject, next: KubeObject) => {
      if (old.spec?.replicas === next.spec?.replicas) return;
      for (const pdb of this.budgets.store.byIndex(BY_NAMESPACE, next.metadata.namespace ?? '')) this.enqueueKey(keyOf(pdb));
    };
    for (const inf of [this.replicationControllers, this.replicaSets, this.deployments, this.statefulSets]) inf.addEventHandler({ onUpdate: onScale });
  }

  private enqueueBudgetsOf(pod: KubeObject): void {
    for (const pdb of this.budgets.store.byIndex(BY_NAMESPACE, pod.metadata.namespace ?? '')) {
      if (budgetCoversPod(pdb, pod)) this.enqueueKey(keyOf(pdb));
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const pdb = this.budgets.store.get(key);
    if (!pdb) return;
    const pods = this.pods.store.byIndex(BY_NAMESPACE, pdb.metadata.namespace ?? '').filter((p) => budgetCoversPod(pdb, p));
    if (pods.length === 0) this.recorder.normal(pdb, DisruptionEventReason.NoPods, 'No matching pods found');
    const now = this.now();
    const plan = planBudgetStatus({ pdb, pods, scaleOf: (ref, ns) => this.scaleOf(ref, ns), now });
    if (!plan.ok) {
      this.recorder.warning(pdb, DisruptionEventReason.CalculateExpectedPodCountFailed, `Failed to calculate the number of expected pods: ${plan.error}`);
      await this.writeStatus(pdb, planFailSafeStatus(pdb, plan.error, now));
      return;
    }
    if (plan.unmanagedPods.length > 0) {
      this.recorder.warning(
        pdb,
        DisruptionEventReason.UnmanagedPods,
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    await this.writeStatus(pdb, plan.status);
    if (plan.recheckAtMs !== undefined) return { requeueAfterMs: Math.max(0, plan.recheckAtMs - now) + 50 };
  }

  /** Writes the status over the cached version; a conflict (an eviction just wrote) is retried with backoff. */
  private async writeStatus(pdb: KubeObject, status: BudgetStatus): Promise<void> {
    if (budgetStatusEqual(pdb.status as BudgetStatus | undefined, status)) return;
    try {
      await this.client.updateStatus(POD_DISRUPTION_BUDGETS, { ...pdb, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw new Error(`status of ${keyOf(pdb)} changed meanwhile; syncing again`);
      throw err;
    }
  }

  /** The finders of getExpectedScale: the controller a pod's controllerRef names and its desired replicas. */
  private scaleOf(ref: OwnerReference, namespace: string): { uid: string; scale: number } | undefined {
    const group = (ref.apiVersion ?? '').split('/');
    const find = (inf: Informer, name: string, uid: string) => {
      const o = inf.store.getByName(namespace, name);
      return o && o.metadata.uid === uid ? o : undefined;
    };
    if (ref.kind === 'ReplicationController' && ref.apiVersion === 'v1') {
      const rc = find(this.replicationControllers, ref.name, ref.uid);
      return rc ? { uid: rc.metadata.uid!, scale: Number(rc.spec?.replicas ?? 1) } : undefined;
    }
    if (ref.kind === 'StatefulSet' && group[0] === 'apps') {
      const sts = find(this.statefulSets, ref.name, ref.uid);
      return sts ? { uid: sts.metadata.uid!, scale: Number(sts.spec?.replicas ?? 1) } : undefined;
    }
    if (ref.kind === 'ReplicaSet' && group[0] === 'apps') {
      const rs = find(this.replicaSets, ref.name, ref.uid);
      if (!rs) return undefined;
      // A ReplicaSet a Deployment controls is counted at the Deployment's scale.
      const owner = getControllerOf(rs);
      if (owner?.kind === 'Deployment') {
        const d = find(this.deployments, owner.name, owner.uid);
        return d ? { uid: d.metadata.uid!, scale: Number(d.spec?.replicas ?? 1) } : undefined;
      }
      return { uid: rs.metadata.uid!, scale: Number(rs.spec?.replicas ?? 1) };
    }
    return undefined;
  }
}
