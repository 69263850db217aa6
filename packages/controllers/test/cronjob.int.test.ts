// The CronJob controller against a real API server, on an injected clock: the test moves time
// to a scheduled minute and resyncs, instead of waiting for the minute. The test plays the Job
// controller's part (it marks Jobs Complete or Failed through the status subresource), so each
// Job stays active exactly as long as a case needs.
//
// Covered: a schedule's activations and the Job each creates, concurrencyPolicy Allow, Forbid
// and Replace, suspend, startingDeadlineSeconds (missed runs), the history limits; and the real
// kubectl's `create cronjob` and `create job --from=cronjob/NAME`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTime, getControllerOf, type KubeObject } from '@skiff/api';
import { EventRecorder, keyFor, SharedInformerFactory, type ReconcileResult } from '@skiff/client';
import { until } from '@skiff/apiserver/testing';
import { CronJobController, type CronJobControllerOptions } from '../src/cronjob/controller.ts';
import { SCHEDULED_TIMESTAMP_ANNOTATION } from '../src/cronjob/plan.ts';
import { CRON_JOBS, EVENTS, JOBS } from '../src/lib/resources.ts';
import { kubectl, startCluster, type Cluster } from './harness.ts';

/** The controller, with a way to await a sync: the tests' event for "it has looked at the new time". */
class ObservedCronJobController extends CronJobController {
  private waiters: { key: string; resolve: () => void }[] = [];

  /** Resolves once a sync of `key` that starts after this call has finished. */
  syncedAfter(key: string): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ key, resolve }));
  }

  protected override async reconcile(key: string): Promise<ReconcileResult | void> {
    const mine = this.waiters.filter((w) => w.key === key);
    this.waiters = this.waiters.filter((w) => w.key !== key);
    try {
      return await super.reconcile(key);
    } finally {
      for (const w of mine) w.resolve();
    }
  }
}

const MINUTE = 60_000;
let cluster: Cluster;
let factory: SharedInformerFactory;
let controller: ObservedCronJobController;
let running: Promise<void>;
let clock = Date.now();

beforeAll(async () => {
  cluster = await startCluster();
  factory = new SharedInformerFactory(cluster.client, { defaults: { onError: () => {} } });
  const opts: CronJobControllerOptions = {
    client: cluster.client,
    factory,
    recorder: new EventRecorder(cluster.client, { component: 'cronjob-controller' }),
    log: () => {},
    now: () => clock,
  };
  controller = new ObservedCronJobController(opts);
  factory.start();
  await factory.waitForCacheSync();
  running = controller.run(2);
});
// Each case's CronJob goes when it ends, so later cases' clock moves do not run it on.
afterEach(async () => {
  for (const cj of (await cluster.client.list(CRON_JOBS, { namespace: 'default' })).items) await cluster.client.delete(CRON_JOBS, 'default', cj.metadata.name!);
});
afterAll(async () => {
  controller.stop();
  factory.stop();
  await running;
  await cluster.close();
});

function cronJob(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { metadata: { labels: { cron: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

/** Creates the CronJob; returns it and the n-th activation time after its creation (n = 1, 2, ...). */
async function create(name: string, spec: Record<string, unknown> = {}): Promise<{ cj: KubeObject; slot: (n: number) => number }> {
  // The clock is real time again before the CronJob exists: its first sync (on creation) must
  // not see the time an earlier case moved to.
  clock = Date.now();
  const cj = await cluster.client.create(CRON_JOBS, cronJob(name, spec));
  const created = Date.parse(cj.metadata.creationTimestamp!);
  const first = Math.floor(created / (5 * MINUTE)) * 5 * MINUTE + 5 * MINUTE;
  return { cj, slot: (n) => first + (n - 1) * 5 * MINUTE };
}

/** Moves the clock and waits for the controller to have synced the CronJob at the new time. */
async function moveTo(name: string, t: number): Promise<void> {
  clock = t;
  const synced = controller.syncedAfter(keyFor('default', name));
  controller.resyncAll();
  await synced;
}

const jobsOf = async (name: string) => (await cluster.client.list(JOBS, { namespace: 'default', labelSelector: `cron=${name}` })).items.filter((j) => !j.metadata.deletionTimestamp);
const jobName = (name: string, t: number) => `${name}-${Math.floor(t / MINUTE)}`;
const activeNames = async (name: string) => ((await cluster.client.get(CRON_JOBS, 'default', name)).status?.active ?? []).map((r: { name: string }) => r.name).sort();

async function eventFor(name: string, reason: string): Promise<KubeObject> {
  return until(`event ${reason} for ${name}`, async () => (await cluster.client.list(EVENTS, { namespace: 'default', fieldSelector: `involvedObject.name=${name},reason=${reason}` })).items[0]);
}

/** Plays the Job controller: the Job finished at `at`, one way or the other. */
async function finish(name: string, type: 'Complete' | 'Failed', at: number): Promise<void> {
  const job = await cluster.client.get(JOBS, 'default', name);
  const time = formatTime(at);
  const conditions =
    type === 'Complete'
      ? [
          { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', lastTransitionTime: time },
          { type: 'Complete', status: 'True', reason: 'CompletionsReached', lastTransitionTime: time },
        ]
      : [
          { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: time },
          { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: time },
        ];
  await cluster.client.updateStatus(JOBS, { ...job, status: { startTime: formatTime(at - 1000), ...(type === 'Complete' ? { completionTime: time, succeeded: 1 } : { failed: 1 }), conditions } });
}

test('a schedule: nothing before the first activation, then one Job per activation, annotated and owned', async () => {
  const { cj, slot } = await create('every-five');
  await moveTo('every-five', slot(1) - 1000);
  expect(await jobsOf('every-five')).toEqual([]);

  await moveTo('every-five', slot(1) + 2000);
  const [job] = await until('the first Job', async () => {
    const js = await jobsOf('every-five');
    return js.length === 1 && js;
  });
  expect(job.metadata.name).toBe(jobName('every-five', slot(1)));
  expect(job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION]).toBe(formatTime(slot(1)));
  expect(getControllerOf(job)).toMatchObject({ kind: 'CronJob', name: 'every-five', uid: cj.metadata.uid });
  expect(job.spec.template.spec.containers[0].image).toBe('busybox');
  await until('status records it', async () => {
    const s = (await cluster.client.get(CRON_JOBS, 'default', 'every-five')).status ?? {};
    return s.lastScheduleTime === formatTime(slot(1)) && s.active?.length === 1 && s.active[0].uid === job.metadata.uid;
  });
  await eventFor('every-five', 'SuccessfulCreate');

  // Still in the same five minutes: nothing new.
  await moveTo('every-five', slot(1) + 4 * MINUTE);
  expect((await jobsOf('every-five')).map((j) => j.metadata.name)).toEqual([jobName('every-five', slot(1))]);

  // Allow (the default): the next activation runs beside the active Job.
  await moveTo('every-five', slot(2) + 1000);
  await until('two active Jobs', async () => (await activeNames('every-five')).length === 2);
  expect(await activeNames('every-five')).toEqual([jobName('every-five', slot(1)), jobName('every-five', slot(2))].sort());

  // A finished Job leaves the active list, and lastSuccessfulTime follows it.
  await finish(jobName('every-five', slot(1)), 'Complete', slot(2) + 2000);
  await until('the finished Job leaves the active list', async () => {
    const s = (await cluster.client.get(CRON_JOBS, 'default', 'every-five')).status ?? {};
    return s.active?.length === 1 && s.active[0].name === jobName('every-five', slot(2)) && s.lastSuccessfulTime === formatTime(slot(2) + 2000);
  });
  await eventFor('every-five', 'SawCompletedJob');
});

test('Forbid: the next run waits while a Job is active, and starts once it has finished', async () => {
  const { slot } = await create('forbid', { concurrencyPolicy: 'Forbid' });
  await moveTo('forbid', slot(1) + 1000);
  await until('the first Job', async () => (await jobsOf('forbid')).length === 1);

  await moveTo('forbid', slot(2) + 1000);
  await eventFor('forbid', 'JobAlreadyActive');
  expect((await jobsOf('forbid')).map((j) => j.metadata.name)).toEqual([jobName('forbid', slot(1))]);

  // The held-back activation is still due (no startingDeadlineSeconds): it runs when the first ends.
  await finish(jobName('forbid', slot(1)), 'Complete', slot(2) + 30_000);
  await until('the second Job, for the held-back time', async () => (await jobsOf('forbid')).some((j) => j.metadata.name === jobName('forbid', slot(2))));
  expect(await activeNames('forbid')).toEqual([jobName('forbid', slot(2))]);
});

test('Replace: the next run deletes the active Job and takes its place', async () => {
  const { slot } = await create('replace', { concurrencyPolicy: 'Replace' });
  await moveTo('replace', slot(1) + 1000);
  const [first] = await until('the first Job', async () => {
    const js = await jobsOf('replace');
    return js.length === 1 && js;
  });

  await moveTo('replace', slot(2) + 1000);
  await until('only the second Job', async () => {
    const js = await jobsOf('replace');
    return js.length === 1 && js[0].metadata.name === jobName('replace', slot(2));
  });
  await until('the first Job is gone', async () => !(await cluster.client.list(JOBS, { namespace: 'default' })).items.some((j) => j.metadata.uid === first.metadata.uid));
  expect(await activeNames('replace')).toEqual([jobName('replace', slot(2))]);
  const deleted = await eventFor('replace', 'SuccessfulDelete');
  expect(deleted.message).toBe(`Deleted job ${first.metadata.name}`);
});

test('suspend: no Job while suspended; resumed, the missed activation runs', async () => {
  const { slot } = await create('paused', { suspend: true });
  await moveTo('paused', slot(1) + 1000);
  await moveTo('paused', slot(2) + 1000);
  expect(await jobsOf('paused')).toEqual([]);

  // Resuming is an update of the CronJob: the controller syncs it at the current (moved) time.
  const synced = controller.syncedAfter(keyFor('default', 'paused'));
  await cluster.client.patch(CRON_JOBS, 'default', 'paused', { spec: { suspend: false } }, 'merge');
  await synced;
  // Only the most recent missed time runs, as Kubernetes does.
  const js = await until('the Job for the latest missed time', async () => {
    const j = await jobsOf('paused');
    return j.length > 0 && j;
  });
  expect(js.map((j) => j.metadata.name)).toEqual([jobName('paused', slot(2))]);
});

test('startingDeadlineSeconds: a run found too late is skipped; the next one on time runs', async () => {
  const { slot } = await create('deadline', { startingDeadlineSeconds: 30 });
  // The controller comes by two minutes after the activation: past the 30 s deadline. As in
  // Kubernetes, the deadline bounds the look-back, so the late time is simply not run.
  await moveTo('deadline', slot(1) + 2 * MINUTE);
  expect(await jobsOf('deadline')).toEqual([]);
  expect((await cluster.client.get(CRON_JOBS, 'default', 'deadline')).status?.lastScheduleTime).toBeUndefined();

  await moveTo('deadline', slot(2) + 10_000);
  await until('the next Job', async () => (await jobsOf('deadline')).map((j) => j.metadata.name).join() === jobName('deadline', slot(2)));
});

test('history limits: the oldest finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit are deleted', async () => {
  const { slot } = await create('history', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
  const names = [1, 2, 3, 4].map((n) => jobName('history', slot(n)));
  for (let n = 1; n <= 4; n++) {
    await moveTo('history', slot(n) + 1000);
    await until(`Job ${n}`, async () => (await jobsOf('history')).some((j) => j.metadata.name === names[n - 1]));
  }
  // Two succeed, two fail (each finishing after it started, in order).
  await finish(names[0], 'Complete', slot(1) + 2000);
  await finish(names[1], 'Failed', slot(2) + 2000);
  await finish(names[2], 'Complete', slot(3) + 2000);
  await finish(names[3], 'Failed', slot(4) + 2000);
  await until('one Job of each kind kept, the newest', async () => (await jobsOf('history')).map((j) => j.metadata.name).sort().join() === [names[2], names[3]].sort().join());
  expect(await activeNames('history')).toEqual([]);
});

describe('kubectl', () => {
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cronjob-'));
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  test('kubectl create cronjob stores it with the defaults; get shows it; the controller runs it on schedule', async () => {
    clock = Date.now();
    const r = await kubectl(cluster.url, cacheDir, ['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'hello']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('cronjob.batch/nightly created');
    const cj = await cluster.client.get(CRON_JOBS, 'default', 'nightly');
    expect(cj.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(cj.spec.jobTemplate.spec.template.spec).toMatchObject({ restartPolicy: 'OnFailure', containers: [{ name: 'nightly', image: 'busybox', command: ['echo', 'hello'] }] });

    const table = await kubectl(cluster.url, cacheDir, ['get', 'cronjob', 'nightly']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    expect(table.stdout.split('\n')[1]).toMatch(/^nightly\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/);

    const created = Date.parse(cj.metadata.creationTimestamp!);
    const first = Math.floor(created / (5 * MINUTE)) * 5 * MINUTE + 5 * MINUTE;
    await moveTo('nightly', first + 1000);
    await until('the scheduled Job', async () => (await cluster.client.list(JOBS, { namespace: 'default' })).items.some((j) => j.metadata.name === jobName('nightly', first)));
    const after = await kubectl(cluster.url, cacheDir, ['get', 'cronjob', 'nightly']);
    expect(after.stdout.split('\n')[1]).toMatch(/^nightly\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+1\s+\S+\s+\S+$/);
  });

  test('kubectl create job --from=cronjob/NAME makes a Job from the template, owned by the CronJob and marked manual', async () => {
    clock = Date.now();
    await kubectl(cluster.url, cacheDir, ['create', 'cronjob', 'backup', '--image=busybox', '--schedule=@daily', '--', 'sh', '-c', 'echo backup']);
    const cj = await cluster.client.get(CRON_JOBS, 'default', 'backup');
    const r = await kubectl(cluster.url, cacheDir, ['create', 'job', 'backup-now', '--from=cronjob/backup']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('job.batch/backup-now created');
    const job = await cluster.client.get(JOBS, 'default', 'backup-now');
    expect(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(getControllerOf(job)).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: cj.metadata.uid });
    expect(job.spec.template.spec.containers[0]).toMatchObject({ name: 'backup', image: 'busybox', command: ['sh', '-c', 'echo backup'] });
    // The server generated the selector, as for any Job.
    expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);

    // Not one the controller started: it says so, and does not adopt it into status.active.
    await moveTo('backup', clock);
    await eventFor('backup', 'UnexpectedJob');
    expect(await activeNames('backup')).toEqual([]);

    const missing = await kubectl(cluster.url, cacheDir, ['create', 'job', 'x', '--from=cronjob/nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/cronjobs.batch "nope" not found/);
  });
});
