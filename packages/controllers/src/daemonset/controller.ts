// The DaemonSet controller: one daemon pod on every node that should run it, placed by the
// scheduler through node affinity on the node's name, rolled per the update strategy.
//
// reconcile(key): re-read the DaemonSet, its pods and ControllerRevisions, and the nodes from the
// caches; make sure its template is stored as the newest revision (whose hash labels the pods);
// unless expectations from the previous sync are outstanding, create and delete per planDaemonSet;
// trim the history; write status. Pod, node and revision events only enqueue DaemonSets.
import { getControllerOf, labelSelectorMatches, type KubeObject } from '@skiff/api';
import { isConflict, isNotFound, keyOf, type EventRecorder, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NAMESPACE, BY_OWNER, NAMESPACE_INDEX, ORPHAN_INDEX, ORPHANS_BY_NAMESPACE, OWNER_INDEX } from '../lib/indexes.ts';
import { claimPods } from '../lib/claim.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../lib/resources.ts';
import { Expectations } from '../replicaset/expectations.ts';
import { slowStartBatch } from '../replicaset/plan.ts';
import { ensureUpdateRevision, truncateHistory } from '../history/apply.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/revision.ts';
import { FailedPodsBackoff } from './backoff.ts';
import { computeDaemonPod, computeDaemonSetStatus, planDaemonSet, targetNodeOf, type DaemonSetStatus } from './plan.ts';

export const DaemonSetEventReason = {
  SuccessfulCreate: 'SuccessfulCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedCreate: 'FailedCreate',
  FailedDelete: 'FailedDelete',
  FailedDaemonPod: 'FailedDaemonPod',
} as const;

export interface DaemonSetControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
}

export class DaemonSetController extends QueueController {
  readonly name = 'daemonset-controller';
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly daemonSets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: Informer;
  private readonly expectations = new Expectations();
  /** Per DaemonSet and node: the wait before the next failed pod there is replaced. */
  private readonly failedPodsBackoff = new FailedPodsBackoff();

  constructor(opts: DaemonSetControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.daemonSets = opts.factory.informerFor(DAEMON_SETS, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX, ...ORPHAN_INDEX } });
    this.nodes = opts.factory.informerFor(NODES);
    this.revisions = opts.factory.informerFor(CONTROLLER_REVISIONS, { indexers: OWNER_INDEX });

    this.daemonSets.addEventHandler({
      onAdd: (ds) => this.enqueueKey(keyOf(ds)),
      onUpdate: (_old, ds) => this.enqueueKey(keyOf(ds)),
      onDelete: (ds) => {
        this.expectations.forget(keyOf(ds));
        this.enqueueKey(keyOf(ds));
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => {
        const ds = this.ownerOf(pod);
        if (!ds) return this.enqueueAdopters(pod);
        this.expectations.creationObserved(keyOf(ds));
        this.enqueueKey(keyOf(ds));
      },
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const ds = this.ownerOf(pod);
        if (!ds) return this.enqueueAdopters(pod);
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(ds), keyOf(pod));
        this.enqueueKey(keyOf(ds));
      },
      onDelete: (pod) => {
        const ds = this.ownerOf(pod);
        if (!ds) return;
        this.expectations.deletionObserved(keyOf(ds), keyOf(pod));
        this.enqueueKey(keyOf(ds));
      },
    });
    // A node's labels, taints or existence decide where daemon pods belong.
    const onNode = () => {
      for (const ds of this.daemonSets.store.list()) this.enqueueKey(keyOf(ds));
    };
    this.nodes.addEventHandler({
      onAdd: onNode,
      onUpdate: (old, node) => {
        if (JSON.stringify([old.metadata.labels, old.spec?.taints]) !== JSON.stringify([node.metadata.labels, node.spec?.taints])) onNode();
      },
      onDelete: onNode,
    });
    this.revisions.addEventHandler({
      onDelete: (cr) => {
        const ds = this.ownerOf(cr);
        if (ds) this.enqueueKey(keyOf(ds));
      },
    });
  }

  /** The DaemonSet named by an object's controller reference, if the uid agrees. */
  private ownerOf(obj: KubeObject): KubeObject | undefined {
    const ref = getControllerOf(obj);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.daemonSets.store.getByName(obj.metadata.namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  /** An orphan pod: the DaemonSets of its namespace that select it may adopt it. */
  private enqueueAdopters(pod: KubeObject): void {
    if (getControllerOf(pod) || !pod.metadata.namespace || pod.metadata.deletionTimestamp) return;
    for (const owner of this.daemonSets.store.byIndex(BY_NAMESPACE, pod.metadata.namespace)) {
      if (labelSelectorMatches(owner.spec?.selector, pod.metadata.labels)) this.enqueueKey(keyOf(owner));
    }
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const ds = this.daemonSets.store.get(key);
    if (!ds) {
      this.expectations.forget(key);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const uid = ds.metadata.uid!;
    const revisions = this.revisions.store.byIndex(BY_OWNER, uid).filter((r) => r.metadata.namespace === ds.metadata.namespace);
    const { revision, collisionCount } = await ensureUpdateRevision(this.client, ds, revisions);
    const hash = revision.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    const candidates = [...this.pods.store.byIndex(BY_OWNER, uid), ...this.pods.store.byIndex(ORPHANS_BY_NAMESPACE, ds.metadata.namespace!)];
    const pods = await claimPods({ client: this.client, resource: DAEMON_SETS, owner: ds, candidates, matches: (p) => labelSelectorMatches(ds.spec?.selector, p.metadata.labels) });
    const now = Date.now();
    this.failedPodsBackoff.gc(now);
    const plan = planDaemonSet({ ds, nodes: this.nodes.store.list(), pods, hash, now, failedPodBackoffMs: (node) => this.failedPodsBackoff.remaining(`${uid}/${node}`, now) });

    let failure: unknown;
    if (this.expectations.satisfied(key)) {
      if (plan.create.length > 0) failure ??= await this.createPods(key, ds, plan.create, hash);
      for (const pod of plan.failed) {
        const node = targetNodeOf(pod) ?? '';
        this.failedPodsBackoff.next(`${uid}/${node}`, now);
        this.recorder.warning(ds, DaemonSetEventReason.FailedDaemonPod, `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`);
      }
      if (plan.delete.length > 0) failure ??= await this.deletePods(key, ds, plan.delete);
    }
    // Revisions some pod still carries stay, whatever the limit.
    const live = new Set(revisions.filter((r) => pods.some((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL])).map((r) => r.metadata.name!));
    live.add(revision.metadata.name!);
    await truncateHistory(this.client, ds, revisions, live);
    await this.writeStatus(ds, computeDaemonSetStatus(ds, plan.status, collisionCount));
    if (failure) throw failure;
    return plan.recheckMs !== undefined ? { requeueAfterMs: plan.recheckMs + 50 } : undefined;
  }

  private async createPods(key: string, ds: KubeObject, nodes: string[], hash: string): Promise<unknown> {
    this.expectations.expectCreations(key, nodes.length);
    const { attempted, error } = await slowStartBatch(nodes.length, async (i) => {
      if (this.queue.shuttingDown()) throw new Error('controller stopping');
      try {
        const pod = await this.client.create(PODS, computeDaemonPod(ds, nodes[i], hash));
        this.recorder.normal(ds, DaemonSetEventReason.SuccessfulCreate, `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        this.expectations.creationObserved(key);
        this.recorder.warning(ds, DaemonSetEventReason.FailedCreate, `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = attempted; i < nodes.length; i++) this.expectations.creationObserved(key);
    return error;
  }

  private async deletePods(key: string, ds: KubeObject, pods: KubeObject[]): Promise<unknown> {
    this.expectations.expectDeletions(key, pods.map(keyOf));
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          this.recorder.normal(ds, DaemonSetEventReason.SuccessfulDelete, `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, keyOf(pod));
          if (isNotFound(err)) return;
          error ??= err;
          this.recorder.warning(ds, DaemonSetEventReason.FailedDelete, `Error deleting: ${(err as Error).message}`);
        }
      }),
    );
    return error;
  }

  private async writeStatus(ds: KubeObject, status: DaemonSetStatus): Promise<void> {
    const current = ds.status ?? {};
    if ((Object.keys(status) as (keyof DaemonSetStatus)[]).every((k) => (current[k] ?? 0) === status[k])) return;
    try {
      await this.client.updateStatus(DAEMON_SETS, { ...ds, status: { ...current, ...status } });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      // The DaemonSet changed meanwhile: its update event brings it back.
      this.enqueueKey(keyOf(ds));
    }
  }
}
