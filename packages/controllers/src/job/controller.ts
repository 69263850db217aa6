// The Job controller: runs a Job's pods to completion.
//
// reconcile(key): re-read the Job (from the cache, or the status this controller last wrote if
// that is newer) and the pods it controls, compute planJob, then in this order: delete and
// create pods (recording expectations so a pod is never created twice), write status, and only
// then remove the job-tracking finalizer from the finished pods that status now records, so no
// pod is lost or counted twice. Pod events only enqueue their Job and settle expectations.
import { getControllerOf, type KubeObject } from '@skiff/api';
import { isConflict, isNotFound, keyOf, type EventRecorder, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_OWNER, NAMESPACE_INDEX, OWNER_INDEX } from '../lib/indexes.ts';
import { JOBS, PODS } from '../lib/resources.ts';
import { Expectations } from '../replicaset/expectations.ts';
import { slowStartBatch } from '../replicaset/plan.ts';
import { computeJobPod } from './pod-template.ts';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER } from './pods.ts';
import { isJobFinished, JobEventReason, planJob, type JobPlan } from './plan.ts';

export interface JobControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
  /** The clock; tests inject one. */
  now?: () => number;
}

/** resourceVersions are the store's revision numbers: the larger one is the newer object. */
function newer(a: KubeObject | undefined, b: KubeObject | undefined): KubeObject | undefined {
  if (!a) return b;
  if (!b) return a;
  return Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion) ? b : a;
}

export class JobController extends QueueController {
  readonly name = 'job-controller';
  private readonly client: RestClient;
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  private readonly expectations: Expectations;
  /** The Job as this controller last wrote it: the cache may not have caught up yet. */
  private readonly written = new Map<string, KubeObject>();
  /**
   * Pods whose tracking finalizer this controller removed but whose update the cache has not
   * shown yet (Kubernetes' finalizer expectations): seen with the finalizer, such a pod would be
   * counted a second time.
   */
  private readonly finalizerRemoved = new Set<string>();

  constructor(opts: JobControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.now = opts.now ?? Date.now;
    this.expectations = new Expectations({ now: this.now });
    this.jobs = opts.factory.informerFor(JOBS, { indexers: NAMESPACE_INDEX });
    this.pods = opts.factory.informerFor(PODS, { indexers: { ...NAMESPACE_INDEX, ...OWNER_INDEX } });

    this.jobs.addEventHandler({
      onAdd: (job) => this.enqueueKey(keyOf(job)),
      onUpdate: (_old, job) => this.enqueueKey(keyOf(job)),
      onDelete: (job) => {
        this.expectations.forget(keyOf(job));
        this.written.delete(keyOf(job));
        this.enqueueKey(keyOf(job));
        // Its pods lose the finalizer, or the garbage collector could never delete them.
        for (const pod of this.pods.store.byIndex(BY_OWNER, job.metadata.uid!)) if (hasTrackingFinalizer(pod)) void this.removeFinalizer(pod);
      },
    });
    this.pods.addEventHandler({
      onAdd: (pod) => {
        const key = this.jobKeyOf(pod);
        if (!key) return;
        this.expectations.creationObserved(key);
        this.enqueueKey(key);
      },
      onUpdate: (old, pod) => {
        if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        if (!hasTrackingFinalizer(pod)) this.finalizerRemoved.delete(pod.metadata.uid!);
        const key = this.jobKeyOf(pod);
        if (!key) {
          // A pod whose Job is gone keeps nothing alive: let it go.
          if (hasTrackingFinalizer(pod) && getControllerOf(pod)?.kind === 'Job') void this.removeFinalizer(pod);
          return;
        }
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) this.expectations.deletionObserved(key, keyOf(pod));
        this.enqueueKey(key);
      },
      onDelete: (pod) => {
        this.finalizerRemoved.delete(pod.metadata.uid!);
        const key = this.jobKeyOf(pod);
        if (!key) return;
        this.expectations.deletionObserved(key, keyOf(pod));
        this.enqueueKey(key);
      },
    });
  }

  /** The key of the Job controlling `pod`, if it is in the cache with that uid. */
  private jobKeyOf(pod: KubeObject): string | undefined {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = this.jobs.store.getByName(pod.metadata.namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? keyOf(job) : undefined;
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.jobs.store.get(key);
    if (!cached) {
      this.expectations.forget(key);
      this.written.delete(key);
      return;
    }
    const job = newer(cached, this.written.get(key)?.metadata.uid === cached.metadata.uid ? this.written.get(key) : undefined)!;
    // spec.managedBy names another controller: that one runs this Job, as in Kubernetes.
    if (!isManagedHere(job)) return;
    const pods = this.pods.store
      .byIndex(BY_OWNER, job.metadata.uid!)
      .filter((p) => getControllerOf(p)?.uid === job.metadata.uid)
      .map((p) => (this.finalizerRemoved.has(p.metadata.uid!) ? withoutTrackingFinalizer(p) : p));
    if (job.metadata.deletionTimestamp) {
      await Promise.all(pods.filter(hasTrackingFinalizer).map((p) => this.removeFinalizer(p)));
      return;
    }
    const plan = planJob({ job, pods, now: this.now(), expectationsSatisfied: this.expectations.satisfied(key) });
    if (isJobFinished(job) && plan.removeFinalizers.length === 0 && !statusChanged(job, plan)) return;

    await this.deletePods(key, job, plan.delete);
    // Creating replacements and counting finished pods touch different objects: they run side by
    // side, so a wave of finished pods is replaced while it is being counted. The status written
    // assumes every creation succeeds; a failed one is corrected by a second write below.
    let current = job;
    const creating = this.createPods(key, job, plan);
    const counting = (async () => {
      if (statusChanged(job, plan)) current = (await this.writeStatus(key, job, plan)) ?? job;
      // Only now that status records them may their finalizers go.
      await Promise.all(plan.removeFinalizers.map((p) => this.removeFinalizer(p)));
    })();
    const [created, counted] = await Promise.allSettled([creating, counting]);
    if (counted.status === 'rejected') throw counted.reason;
    const createFailure = created.status === 'fulfilled' ? created.value : { missing: 0, error: created.reason };
    if (createFailure && createFailure.missing > 0) {
      plan.status.active = Math.max(0, (plan.status.active ?? 0) - createFailure.missing);
      if (statusChanged(current, plan)) await this.writeStatus(key, current, plan);
    }
    for (const e of plan.events) (e.type === 'Normal' ? this.recorder.normal : this.recorder.warning).call(this.recorder, job, e.reason, e.message);
    if (createFailure) throw createFailure.error;
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(0, plan.requeueAfterMs) + 50 } : undefined;
  }

  private async deletePods(key: string, job: KubeObject, pods: KubeObject[]): Promise<void> {
    if (pods.length === 0) return;
    this.expectations.expectDeletions(key, pods.map(keyOf));
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          this.recorder.normal(job, JobEventReason.SuccessfulDelete, `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          this.expectations.deletionObserved(key, keyOf(pod));
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  private async createPods(key: string, job: KubeObject, plan: JobPlan): Promise<{ missing: number; error: unknown } | undefined> {
    const specs: (number | undefined)[] = plan.create.indexes.length > 0 ? plan.create.indexes : Array.from({ length: plan.create.count }, () => undefined);
    if (specs.length === 0) return undefined;
    this.expectations.expectCreations(key, specs.length);
    const { succeeded, attempted, error } = await slowStartBatch(specs.length, async (i) => {
      if (this.queue.shuttingDown()) throw new Error('controller stopping');
      try {
        const index = specs[i];
        const pod = await this.client.create(PODS, computeJobPod(job, index, index === undefined ? undefined : plan.create.indexFailureCounts?.[index]));
        this.recorder.normal(job, JobEventReason.SuccessfulCreate, `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        this.expectations.creationObserved(key);
        this.recorder.warning(job, JobEventReason.FailedCreate, `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = attempted; i < specs.length; i++) this.expectations.creationObserved(key);
    return error === undefined ? undefined : { missing: specs.length - succeeded, error };
  }

  private async writeStatus(key: string, job: KubeObject, plan: JobPlan): Promise<KubeObject | undefined> {
    try {
      const out = await this.client.updateStatus(JOBS, { ...job, status: plan.status });
      this.written.set(key, out);
      return out;
    } catch (err) {
      // A conflict means our view was stale: nothing was written, the next sync starts afresh.
      if (isNotFound(err)) return undefined;
      if (isConflict(err)) this.written.delete(key);
      throw err;
    }
  }

  private async removeFinalizer(pod: KubeObject): Promise<void> {
    try {
      const out = await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } }, 'strategic');
      // Unless the cache already shows it gone, remember it until it does.
      const cached = this.pods.store.get(keyOf(pod));
      if (cached && hasTrackingFinalizer(cached) && Number(cached.metadata.resourceVersion) < Number(out.metadata.resourceVersion)) this.finalizerRemoved.add(pod.metadata.uid!);
    } catch (err) {
      if (!isNotFound(err)) this.log(`${this.name}: removing the finalizer of ${keyOf(pod)} failed`, err);
    }
  }
}

/** The value of spec.managedBy that means this (the built-in) Job controller; unset means the same. */
export const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

function isManagedHere(job: KubeObject): boolean {
  const by = job.spec?.managedBy;
  return by === undefined || by === null || by === JOB_CONTROLLER_NAME;
}

function withoutTrackingFinalizer(pod: KubeObject): KubeObject {
  return { ...pod, metadata: { ...pod.metadata, finalizers: (pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER) } };
}

function statusChanged(job: KubeObject, plan: JobPlan): boolean {
  return JSON.stringify(normalize(job.status ?? {})) !== JSON.stringify(normalize(plan.status as Record<string, unknown>));
}

function normalize(s: Record<string, unknown>): unknown {
  const keys = Object.keys(s).filter((k) => s[k] !== undefined).sort();
  return keys.map((k) => [k, s[k] && typeof s[k] === 'object' && !Array.isArray(s[k]) ? normalize(s[k] as Record<string, unknown>) : s[k]]);
}
