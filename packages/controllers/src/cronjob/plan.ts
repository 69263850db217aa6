// The pure part of the CronJob controller (pkg/controller/cronjob, the v2 controller of
// Kubernetes 1.32): which scheduled time is due, whether it is too late or must wait for a
// running Job, which Jobs to replace or clean up, and the status to write.
import { CronScheduleError, formatTime, parseCronSchedule, parseTime, newControllerRef, type CronSchedule, type KubeObject, type ObjectReference } from '@skiff/api';

/** The annotation with the time a Job was scheduled for, in the CronJob's time zone. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** Kubernetes' nextScheduleDelta: wake a little after the minute, for clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
const TOO_MANY_MISSED = 100;

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobPlan {
  /** The Job to create for `scheduledTime`, if one is due. */
  create?: { job: KubeObject; scheduledTime: number };
  /** Jobs to delete (Replace policy first, then finished Jobs past the history limits). */
  delete: KubeObject[];
  status: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
  events: CronJobEvent[];
  requeueAfterMs?: number;
}

export interface PlanCronJobInput {
  cronJob: KubeObject;
  /** The Jobs this CronJob controls. */
  jobs: readonly KubeObject[];
  now: number;
}

type Missed = 'none' | 'few' | 'many';

/** finishedCondition: Complete or Failed, if the Job has finished. */
export function jobFinishedCondition(job: KubeObject): 'Complete' | 'Failed' | undefined {
  for (const c of (job.status?.conditions ?? []) as { type: string; status: string }[]) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

/**
 * mostRecentScheduleTime: the latest activation at or before `now` that has not been acted on,
 * counting from lastScheduleTime (or creation), no earlier than startingDeadlineSeconds allows;
 * and how many were missed (roughly, from the interval between two activations, as Kubernetes does).
 */
export function mostRecentScheduleTime(cj: KubeObject, now: number, schedule: CronSchedule, includeStartingDeadline: boolean): { earliest: number; mostRecent?: number; missed: Missed } {
  let earliest = parseTime(cj.status?.lastScheduleTime);
  if (Number.isNaN(earliest)) earliest = parseTime(cj.metadata.creationTimestamp);
  const sds: number | undefined = cj.spec?.startingDeadlineSeconds ?? undefined;
  if (includeStartingDeadline && sds !== undefined) {
    const deadline = now - sds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = schedule.next(earliest);
  const t2 = schedule.next(t1);
  if (now < t1) return { earliest, missed: 'none' };
  if (now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const interval = Math.round((t2 - t1) / 1000);
  if (interval < 1) return { earliest, missed: 'none' };
  const missedCount = Math.floor((now - t1) / 1000 / interval) + 1;
  // Step back one interval before the estimate and let the schedule find the exact latest time.
  let mostRecent: number | undefined;
  for (let t = schedule.next(t1 + (missedCount - 2) * interval * 1000); t <= now; t = schedule.next(t)) mostRecent = t;
  return { earliest, mostRecent, missed: missedCount > TOO_MANY_MISSED ? 'many' : 'few' };
}

/** The wait until the next activation after the most recent one, plus the skew allowance. */
function nextWakeMs(cj: KubeObject, now: number, schedule: CronSchedule): number {
  const { earliest, mostRecent, missed } = mostRecentScheduleTime(cj, now, schedule, false);
  const base = mostRecent ?? (missed === 'none' ? earliest : now);
  return Math.max(0, schedule.next(base) + NEXT_SCHEDULE_DELTA_MS - now);
}

/** `<cronjob>-<minutes since the epoch>`: one name per scheduled time, so a Job is never made twice. */
export function jobNameFor(cj: KubeObject, scheduledTime: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledTime / 60_000)}`;
}

/** RFC 3339 with the zone's offset, as Go's Format(time.RFC3339) prints a time in a location. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const raw = String(parts.timeZoneName).replace('GMT', '');
  // Go writes a zero offset as Z.
  const offset = raw === '' || raw === '+00:00' || raw === '-00:00' ? 'Z' : raw;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** getJobFromTemplate2: the Job for one scheduled time. */
export function computeJobFromCronJob(cj: KubeObject, scheduledTime: number): KubeObject {
  const tmpl = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledTime),
      namespace: cj.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduledTime, cj.spec?.timeZone ?? 'UTC') },
      ownerReferences: [newControllerRef(cj)],
    },
    spec: structuredClone(tmpl.spec ?? {}),
  };
}

export function jobReference(job: KubeObject): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion };
}

/** Finished Jobs beyond the history limits, oldest first by start time (names break ties). */
function jobsToCleanUp(finished: KubeObject[], limit: number | undefined): KubeObject[] {
  if (limit === undefined || finished.length <= limit) return [];
  const sorted = [...finished].sort((a, b) => {
    const sa = parseTime(a.status?.startTime);
    const sb = parseTime(b.status?.startTime);
    if (Number.isNaN(sa) !== Number.isNaN(sb)) return Number.isNaN(sa) ? 1 : -1;
    if (sa !== sb && !Number.isNaN(sa)) return sa - sb;
    return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
  return sorted.slice(0, finished.length - limit);
}

export function planCronJob(input: PlanCronJobInput): CronJobPlan {
  const { cronJob: cj, jobs, now } = input;
  const spec = cj.spec ?? {};
  const events: CronJobEvent[] = [];
  let active: ObjectReference[] = [...((cj.status?.active ?? []) as ObjectReference[])];
  let lastSuccessfulTime: string | undefined = cj.status?.lastSuccessfulTime;
  const plan: CronJobPlan = { delete: [], status: {}, events };

  // 1. The Jobs: finished ones leave the active list; ones we did not start are reported.
  const byUid = new Set(jobs.map((j) => j.metadata.uid));
  for (const job of jobs) {
    const found = active.some((r) => r.uid === job.metadata.uid);
    const finished = jobFinishedCondition(job);
    if (!found && !finished) {
      events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${job.metadata.name}` });
    } else if (found && finished) {
      active = active.filter((r) => r.uid !== job.metadata.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, condition: ${finished}` });
    } else if (finished && job.status?.completionTime) {
      if (!lastSuccessfulTime || parseTime(job.status.completionTime) > parseTime(lastSuccessfulTime)) lastSuccessfulTime = job.status.completionTime;
    }
  }
  for (const ref of active) {
    if (!byUid.has(ref.uid)) events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
  }
  active = active.filter((r) => byUid.has(r.uid));

  const finish = () => {
    const finished = jobs.filter((j) => jobFinishedCondition(j) && !plan.delete.includes(j));
    plan.delete.push(
      ...jobsToCleanUp(finished.filter((j) => jobFinishedCondition(j) === 'Complete'), spec.successfulJobsHistoryLimit),
      ...jobsToCleanUp(finished.filter((j) => jobFinishedCondition(j) === 'Failed'), spec.failedJobsHistoryLimit),
    );
    plan.status = {
      ...(active.length > 0 ? { active } : {}),
      ...(cj.status?.lastScheduleTime ? { lastScheduleTime: cj.status.lastScheduleTime } : {}),
      ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    };
    return plan;
  };
  if (cj.metadata.deletionTimestamp) return finish();

  // 2. The schedule, in the CronJob's time zone.
  let schedule: CronSchedule;
  try {
    schedule = parseCronSchedule(spec.schedule ?? '', spec.timeZone ?? undefined);
  } catch (err) {
    if (!(err instanceof CronScheduleError)) throw err;
    if (err.message.startsWith('unknown time zone')) events.push({ type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: ${JSON.stringify(spec.timeZone)}: ${err.message}` });
    else events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${err.message}` });
    return finish();
  }
  if (spec.suspend) return finish();

  // 3. Is an activation due, and may it still start?
  const { mostRecent, missed } = mostRecentScheduleTime(cj, now, schedule, true);
  plan.requeueAfterMs = nextWakeMs(cj, now, schedule);
  if (mostRecent === undefined || mostRecent > now) return finish();
  if (missed === 'many') events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
  const sds: number | undefined = spec.startingDeadlineSeconds ?? undefined;
  if (sds !== undefined && mostRecent + sds * 1000 < now) {
    events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${new Date(mostRecent).toUTCString().replace('GMT', '+0000')}` });
    return finish();
  }
  const name = jobNameFor(cj, mostRecent);
  if (active.some((r) => r.name === name) || parseTime(cj.status?.lastScheduleTime) === mostRecent) return finish();

  // 4. Concurrency.
  if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
    events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return finish();
  }
  if (spec.concurrencyPolicy === 'Replace') {
    for (const ref of active) {
      const job = jobs.find((j) => j.metadata.uid === ref.uid);
      if (job) plan.delete.push(job);
    }
    active = [];
  }

  plan.create = { job: computeJobFromCronJob(cj, mostRecent), scheduledTime: mostRecent };
  const result = finish();
  result.status.lastScheduleTime = formatTime(mostRecent);
  return result;
}
