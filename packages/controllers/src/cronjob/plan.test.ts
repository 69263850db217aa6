import type { KubeObject } from '@skiff/api';
import { parseCronSchedule } from '@skiff/api';
import { formatInZone, mostRecentScheduleTime, planCronJob } from './plan.ts';

const T = (s: string) => Date.parse(s);

function cronJob(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'x' }] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, finished?: 'Complete' | 'Failed', startTime?: string): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-uid', controller: true }] },
    spec: {},
    status: {
      ...(startTime ? { startTime } : {}),
      ...(finished ? { conditions: [{ type: finished, status: 'True' }], ...(finished === 'Complete' ? { completionTime: startTime } : {}) } : {}),
    },
  };
}

test('nothing is due before the first activation; the wake-up is the activation plus 100 ms', () => {
  const p = planCronJob({ cronJob: cronJob(), jobs: [], now: T('2026-01-01T00:03:00Z') });
  expect(p.create).toBeUndefined();
  expect(p.requeueAfterMs).toBe(2 * 60_000 + 100);
});

test('a due activation creates the Job named by its minute, with the scheduled-time annotation and labels', () => {
  const p = planCronJob({ cronJob: cronJob(), jobs: [], now: T('2026-01-01T00:05:01Z') });
  const job = p.create!.job;
  expect(job.metadata.name).toBe(`nightly-${T('2026-01-01T00:05:00Z') / 60_000}`);
  expect(job.metadata.labels).toEqual({ team: 'a' });
  expect(job.metadata.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-01T00:05:00Z' });
  expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'nightly', uid: 'cj-uid', controller: true });
  expect(p.status.lastScheduleTime).toBe('2026-01-01T00:05:00Z');
  // Processed once: the same minute again creates nothing.
  const again = planCronJob({ cronJob: cronJob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }), jobs: [], now: T('2026-01-01T00:05:30Z') });
  expect(again.create).toBeUndefined();
});

test('timeZone: @daily in Asia/Tokyo is due at 15:00 UTC, annotated in the zone', () => {
  const cj = cronJob({ schedule: '@daily', timeZone: 'Asia/Tokyo' });
  expect(planCronJob({ cronJob: cj, jobs: [], now: T('2026-01-01T14:59:00Z') }).create).toBeUndefined();
  const p = planCronJob({ cronJob: cj, jobs: [], now: T('2026-01-01T15:00:10Z') });
  expect(p.create?.scheduledTime).toBe(T('2026-01-01T15:00:00Z'));
  expect(p.create?.job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe('2026-01-02T00:00:00+09:00');
  expect(formatInZone(T('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01T14:00:00+02:00');
});

test('missed runs: only the most recent is started; more than 100 missed warns TooManyMissedTimes', () => {
  const few = planCronJob({ cronJob: cronJob(), jobs: [], now: T('2026-01-01T00:31:00Z') });
  expect(few.create?.scheduledTime).toBe(T('2026-01-01T00:30:00Z'));
  expect(few.events.map((e) => e.reason)).toEqual([]);
  const many = planCronJob({ cronJob: cronJob(), jobs: [], now: T('2026-01-02T00:00:30Z') });
  expect(many.create?.scheduledTime).toBe(T('2026-01-02T00:00:00Z'));
  expect(many.events).toContainEqual({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
  const sched = parseCronSchedule('*/5 * * * *');
  expect(mostRecentScheduleTime(cronJob(), T('2026-01-01T00:31:00Z'), sched, true)).toMatchObject({ mostRecent: T('2026-01-01T00:30:00Z'), missed: 'few' });
});

test('startingDeadlineSeconds: a run later than the deadline is skipped with MissSchedule; it also bounds the missed count', () => {
  const cj = cronJob({ startingDeadlineSeconds: 30 });
  const late = planCronJob({ cronJob: cj, jobs: [], now: T('2026-01-01T00:05:45Z') });
  expect(late.create).toBeUndefined();
  const inTime = planCronJob({ cronJob: cj, jobs: [], now: T('2026-01-01T00:05:20Z') });
  expect(inTime.create?.scheduledTime).toBe(T('2026-01-01T00:05:00Z'));
  // A day down with a 200 s deadline: not "too many missed", the deadline bounds the look-back.
  const bounded = planCronJob({ cronJob: cronJob({ startingDeadlineSeconds: 200 }), jobs: [], now: T('2026-01-02T00:00:30Z') });
  expect(bounded.events.map((e) => e.reason)).not.toContain('TooManyMissedTimes');
  expect(bounded.create?.scheduledTime).toBe(T('2026-01-02T00:00:00Z'));
});

test('concurrencyPolicy: Forbid waits for the running Job, Replace deletes it, Allow runs both', () => {
  const running = job('nightly-1', undefined, '2026-01-01T00:05:00Z');
  const status = { active: [{ kind: 'Job', name: 'nightly-1', namespace: 'default', uid: 'uid-nightly-1' }], lastScheduleTime: '2026-01-01T00:05:00Z' };
  const at = T('2026-01-01T00:10:05Z');
  const forbid = planCronJob({ cronJob: cronJob({ concurrencyPolicy: 'Forbid' }, status), jobs: [running], now: at });
  expect(forbid.create).toBeUndefined();
  expect(forbid.events.map((e) => e.reason)).toContain('JobAlreadyActive');
  const replace = planCronJob({ cronJob: cronJob({ concurrencyPolicy: 'Replace' }, status), jobs: [running], now: at });
  expect(replace.delete).toEqual([running]);
  expect(replace.create).toBeDefined();
  expect(replace.status.active ?? []).toEqual([]);
  const allow = planCronJob({ cronJob: cronJob({}, status), jobs: [running], now: at });
  expect(allow.delete).toEqual([]);
  expect(allow.status.active).toHaveLength(1);
  expect(allow.create).toBeDefined();
});

test('finished Jobs leave the active list, set lastSuccessfulTime, and the oldest beyond the limits are deleted', () => {
  const done = [1, 2, 3, 4].map((i) => job(`ok-${i}`, 'Complete', `2026-01-01T00:0${i}:00Z`));
  const failed = [1, 2].map((i) => job(`bad-${i}`, 'Failed', `2026-01-01T00:0${i}:30Z`));
  const cj = cronJob({ suspend: true }, { active: [{ kind: 'Job', name: 'ok-4', namespace: 'default', uid: 'uid-ok-4' }] });
  const p = planCronJob({ cronJob: cj, jobs: [...done, ...failed], now: T('2026-01-01T00:10:00Z') });
  expect(p.status.active).toBeUndefined();
  expect(p.events).toContainEqual({ type: 'Normal', reason: 'SawCompletedJob', message: 'Saw completed job: ok-4, condition: Complete' });
  expect(p.status.lastSuccessfulTime).toBe('2026-01-01T00:03:00Z');
  expect(p.delete.map((j) => j.metadata.name)).toEqual(['ok-1', 'bad-1']);
  // Suspended: nothing is created.
  expect(p.create).toBeUndefined();
});

test('an unparseable schedule or unknown zone is reported, not thrown', () => {
  expect(planCronJob({ cronJob: cronJob({ schedule: 'nope' }), jobs: [], now: 0 }).events[0]).toMatchObject({ reason: 'UnparseableSchedule' });
  expect(planCronJob({ cronJob: cronJob({ timeZone: 'Mars/Base' }), jobs: [], now: 0 }).events[0]).toMatchObject({ reason: 'UnknownTimeZone' });
});
