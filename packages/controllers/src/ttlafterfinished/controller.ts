// The TTL-after-finished controller: deletes finished Jobs whose ttlSecondsAfterFinished has
// passed, with foreground propagation so their pods go first, as Kubernetes does. Before deleting
// it re-reads the Job from the server: a TTL changed meanwhile wins.
import type { KubeObject } from '@skiff/api';
import { isNotFound, keyOf, type Informer, type ReconcileResult, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { JOBS } from '../lib/resources.ts';
import { computeTtlAction } from './plan.ts';

export interface TtlAfterFinishedOptions {
  client: RestClient;
  factory: InformerFactory;
  log?: (msg: string, err?: unknown) => void;
  now?: () => number;
}

export class TtlAfterFinishedController extends QueueController {
  readonly name = 'ttl-after-finished-controller';
  private readonly client: RestClient;
  private readonly jobs: Informer;
  private readonly now: () => number;

  constructor(opts: TtlAfterFinishedOptions) {
    super(opts.log);
    this.client = opts.client;
    this.now = opts.now ?? Date.now;
    this.jobs = opts.factory.informerFor(JOBS);
    const enqueue = (job: KubeObject) => {
      if (job.spec?.ttlSecondsAfterFinished !== undefined) this.enqueueKey(keyOf(job));
    };
    this.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });
  }

  protected async reconcile(key: string): Promise<ReconcileResult | void> {
    const cached = this.jobs.store.get(key);
    if (!cached) return;
    const verdict = computeTtlAction(cached, this.now());
    if (verdict.action === 'wait') return { requeueAfterMs: verdict.ms + 50 };
    if (verdict.action === 'keep') return;
    try {
      const live = await this.client.get(JOBS, cached.metadata.namespace, cached.metadata.name!);
      const fresh = computeTtlAction(live, this.now());
      if (fresh.action === 'wait') return { requeueAfterMs: fresh.ms + 50 };
      if (fresh.action === 'keep') return;
      await this.client.delete(JOBS, live.metadata.namespace, live.metadata.name!, { propagationPolicy: 'Foreground', preconditions: { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
