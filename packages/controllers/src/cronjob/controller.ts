// The CronJob controller: creates a Job for each scheduled time (planCronJob decides which and
// whether), deletes Jobs that Replace or the history limits retire, writes status, and wakes
// itself for the next activation. The clock is injectable: tests move time, not wait for it.
import { getControllerOf, type KubeObject } from '@skiff/api';
import { isAlreadyExists, isConflict, isNotFound, keyOf, type EventRecorder, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_OWNER, OWNER_INDEX } from '../lib/indexes.ts';
import { CRON_JOBS, JOBS } from '../lib/resources.ts';
import { jobReference, planCronJob } from './plan.ts';

export interface CronJobControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  log?: (msg: string, err?: unknown) => void;
  now?: () => number;
}

export class CronJobController extends QueueController {
  readonly name = 'cronjob-controller';
  private readonly client: RestClient;
  private readonly cronJobs: Informer;
  private readonly jobs: Informer;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;

  constructor(opts: CronJobControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.now = opts.now ?? Date.now;
    this.cronJobs = opts.factory.informerFor(CRON_JOBS);
    this.jobs = opts.factory.informerFor(JOBS, { indexers: OWNER_INDEX });
    this.cronJobs.addEventHandler({
      onAdd: (cj) => this.enqueueKey(keyOf(cj)),
      onUpdate: (_old, cj) => this.enqueueKey(keyOf(cj)),
    });
    const onJob = (job: KubeObject) => {
      const ref = getControllerOf(job);
      if (ref?.kind !== 'CronJob') return;
      const cj = this.cronJobs.store.getByName(job.metadata.namespace, ref.name);
      if (cj && cj.metadata.uid === ref.uid) this.enqueueKey(keyOf(cj));
    };
    this.jobs.addEventHandler({ onAdd: onJob, onUpdate: (_old, job) => onJob(job), onDelete: onJob });
  }

  /** Syncs every CronJob now (tests call this after moving their clock). */
  resyncAll(): void {
    for (const cj of this.cronJobs.store.list()) this.enqueueKey(keyOf(cj));
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const cj = this.cronJobs.store.get(key);
    if (!cj) return;
    const jobs = this.jobs.store.byIndex(BY_OWNER, cj.metadata.uid!).filter((j) => getControllerOf(j)?.uid === cj.metadata.uid);
    // A Job in the active list that the cache has not shown yet may simply be new: ask the server.
    for (const ref of (cj.status?.active ?? []) as { name?: string; uid?: string }[]) {
      if (jobs.some((j) => j.metadata.uid === ref.uid) || !ref.name) continue;
      try {
        const live = await this.client.get(JOBS, cj.metadata.namespace, ref.name);
        if (live.metadata.uid === ref.uid) jobs.push(live);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const plan = planCronJob({ cronJob: cj, jobs, now: this.now() });
    const status = plan.status;
    for (const job of plan.delete) {
      try {
        await this.client.delete(JOBS, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
        this.recorder.normal(cj, 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (plan.create) {
      try {
        const job = await this.client.create(JOBS, plan.create.job);
        status.active = [...(status.active ?? []), jobReference(job)];
        this.recorder.normal(cj, 'SuccessfulCreate', `Created job ${job.metadata.name}`);
      } catch (err) {
        if (!isAlreadyExists(err)) {
          this.recorder.warning(cj, 'FailedCreate', `Error creating job: ${(err as Error).message}`);
          throw err;
        }
        // Made by an earlier sync whose status write was lost: take it on if it is ours.
        const existing = await this.client.get(JOBS, cj.metadata.namespace, plan.create.job.metadata.name!);
        if (getControllerOf(existing)?.uid !== cj.metadata.uid) return;
        if (!(status.active ?? []).some((r) => r.uid === existing.metadata.uid)) status.active = [...(status.active ?? []), jobReference(existing)];
      }
    }
    for (const e of plan.events) (e.type === 'Normal' ? this.recorder.normal : this.recorder.warning).call(this.recorder, cj, e.reason, e.message);
    if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {})) {
      try {
        await this.client.updateStatus(CRON_JOBS, { ...cj, status });
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        // Written from a stale view: sync again from the fresh one.
        return { requeueAfterMs: 0 };
      }
    }
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }
}
