// The pure part of the Job controller (pkg/controller/job/job_controller.go, Kubernetes 1.32):
// given a Job and its pods, what to create and delete, which finished pods to count, and the
// status to write.
//
// Counting is exactly-once, as Kubernetes does it with the job-tracking finalizer: a finished
// pod that still has the finalizer is first recorded in status.uncountedTerminatedPods (one
// status write), then its finalizer is removed, and once the pod shows no finalizer (or is gone)
// its uid moves from the uncounted lists into status.succeeded/failed. A controller that dies
// between any two steps neither loses nor double-counts a pod.
import { formatTime, parseTime, type JobCondition, type JobStatus, type KubeObject } from '@skiff/api';
import { rankPodsForDeletion } from '../replicaset/rank.ts';
import { matchPodFailurePolicy, type FailureVerdict } from './failure-policy.ts';
import { formatIndexes, parseIndexes, podCompletionIndex } from './indexes.ts';
import { FAILED_INDEXES, failsIndex, hasBackoffLimitPerIndex, indexBackoffRemaining, lastFailedByIndex, MAX_FAILED_INDEXES_EXCEEDED, nextIndexFailureCount } from './per-index.ts';
import { activeRestarts, computeBackoffRemaining, hasTrackingFinalizer, podOutcome } from './pods.ts';
import { matchSuccessPolicy, SUCCESS_POLICY_REASON } from './success-policy.ts';

/** Kubernetes' MaxPodCreateDeletePerSync and MaxUncountedPods. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
export const MAX_UNCOUNTED_PODS = 500;

export const JobEventReason = {
  SuccessfulCreate: 'SuccessfulCreate',
  SuccessfulDelete: 'SuccessfulDelete',
  FailedCreate: 'FailedCreate',
  Completed: 'Completed',
  Suspended: 'Suspended',
  Resumed: 'Resumed',
} as const;

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface PlanJobInput {
  job: KubeObject;
  /** Every pod this Job controls, finished and terminating ones included. */
  pods: readonly KubeObject[];
  now: number;
  /** False while creations or deletions of an earlier sync are not yet seen: create and delete nothing. */
  expectationsSatisfied: boolean;
}

export interface JobPlan {
  /**
   * Indexes to create pods for (Indexed), or `count` pods (NonIndexed); with backoffLimitPerIndex,
   * the failure count each new index's pod carries.
   */
  create: { count: number; indexes: number[]; indexFailureCounts?: Record<number, number> };
  delete: KubeObject[];
  /** Pods whose finalizer may go once `status` is written. */
  removeFinalizers: KubeObject[];
  status: JobStatus;
  events: JobEvent[];
  /** Look again after this long (back-off, activeDeadlineSeconds). */
  requeueAfterMs?: number;
}

const SUCCESS = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
const BACKOFF_LIMIT = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
const DEADLINE = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

function condition(job: KubeObject, type: string): JobCondition | undefined {
  return ((job.status?.conditions ?? []) as JobCondition[]).find((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed: nothing more happens to the Job but the counting of its last pods. */
export function isJobFinished(job: KubeObject): boolean {
  return condition(job, 'Complete') !== undefined || condition(job, 'Failed') !== undefined;
}

function setCondition(conditions: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string, now: string): JobCondition[] {
  const existing = conditions.find((c) => c.type === type);
  if (existing && existing.status === status && existing.reason === reason && existing.message === message) return conditions;
  const next: JobCondition = { type, status, reason, message, lastProbeTime: now, lastTransitionTime: existing?.status === status ? (existing.lastTransitionTime ?? now) : now };
  return existing ? conditions.map((c) => (c === existing ? next : c)) : [...conditions, next];
}

export function planJob(input: PlanJobInput): JobPlan {
  const { job, now } = input;
  const spec = job.spec ?? {};
  const old: JobStatus = job.status ?? {};
  const nowText = formatTime(now);
  const indexed = spec.completionMode === 'Indexed';
  const completions: number | undefined = spec.completions ?? undefined;
  const parallelism: number = spec.parallelism ?? 1;
  const events: JobEvent[] = [];
  const suspended = spec.suspend === true;
  const plan: JobPlan = { create: { count: 0, indexes: [] }, delete: [], removeFinalizers: [], status: {}, events };

  // 1. Sort the pods by outcome; ignore failures that the podFailurePolicy says to ignore.
  const uncountedSucceeded = new Set(old.uncountedTerminatedPods?.succeeded ?? []);
  const uncountedFailed = new Set(old.uncountedTerminatedPods?.failed ?? []);
  const active: KubeObject[] = [];
  const terminating: KubeObject[] = [];
  const succeededPods: KubeObject[] = [];
  const failedPods: KubeObject[] = [];
  let failJob: FailureVerdict | undefined;
  const verdicts = new Map<KubeObject, FailureVerdict>();
  const perIndex = indexed && hasBackoffLimitPerIndex(job);
  for (const pod of input.pods) {
    const outcome = podOutcome(pod);
    if (outcome === 'active') active.push(pod);
    else if (outcome === 'terminating') terminating.push(pod);
    else if (outcome === 'succeeded') succeededPods.push(pod);
    else if (pod.status?.phase !== 'Failed' && (suspended || condition(job, 'SuccessCriteriaMet'))) {
      // Stopped because the Job was suspended or had already succeeded: not a failure.
      if (hasTrackingFinalizer(pod)) plan.removeFinalizers.push(pod);
    } else {
      const verdict = matchPodFailurePolicy(job, pod);
      if (verdict) verdicts.set(pod, verdict);
      if (verdict?.action === 'Ignore') {
        if (hasTrackingFinalizer(pod)) plan.removeFinalizers.push(pod);
        continue;
      }
      if (verdict?.action === 'FailJob' && hasTrackingFinalizer(pod) && !uncountedFailed.has(pod.metadata.uid!)) failJob ??= verdict;
      failedPods.push(pod);
    }
  }

  // 2. Counting: uids whose pod lost its finalizer (or vanished) move to the counts; newly
  //    finished pods with the finalizer join the uncounted lists.
  let succeeded = old.succeeded ?? 0;
  let failed = old.failed ?? 0;
  const byUid = new Map(input.pods.map((p) => [p.metadata.uid!, p]));
  const stillUncounted = (uids: Set<string>, bump: () => void) => {
    const keep: string[] = [];
    for (const uid of uids) {
      const pod = byUid.get(uid);
      if (pod && hasTrackingFinalizer(pod)) keep.push(uid);
      else bump();
    }
    return keep;
  };
  const keepSucceeded = stillUncounted(uncountedSucceeded, () => succeeded++);
  const keepFailed = stillUncounted(uncountedFailed, () => failed++);
  let room = MAX_UNCOUNTED_PODS - keepSucceeded.length - keepFailed.length;
  for (const pod of succeededPods) {
    if (room > 0 && hasTrackingFinalizer(pod) && !uncountedSucceeded.has(pod.metadata.uid!)) {
      keepSucceeded.push(pod.metadata.uid!);
      room--;
    }
  }
  for (const pod of failedPods) {
    if (room > 0 && hasTrackingFinalizer(pod) && !uncountedFailed.has(pod.metadata.uid!)) {
      keepFailed.push(pod.metadata.uid!);
      room--;
    }
  }
  const pendingSucceeded = new Set(keepSucceeded);
  const pendingFailed = new Set(keepFailed);
  for (const pod of [...succeededPods, ...failedPods]) {
    const uid = pod.metadata.uid!;
    if ((pendingSucceeded.has(uid) || pendingFailed.has(uid)) && hasTrackingFinalizer(pod)) plan.removeFinalizers.push(pod);
  }

  // Indexed Jobs count indexes, not pods: completedIndexes grows with every succeeded pod recorded.
  let completedIndexes: Set<number> | undefined;
  if (indexed) {
    completedIndexes = parseIndexes(old.completedIndexes, completions ?? 0);
    for (const pod of succeededPods) {
      const i = podCompletionIndex(pod, completions ?? 0);
      if (i !== undefined && (pendingSucceeded.has(pod.metadata.uid!) || !hasTrackingFinalizer(pod))) completedIndexes.add(i);
    }
  }
  // backoffLimitPerIndex: an index fails once one of its counted failed pods says so (per-index.ts).
  let failedIndexes: Set<number> | undefined;
  if (perIndex) {
    failedIndexes = parseIndexes(old.failedIndexes, completions ?? 0);
    for (const pod of failedPods) {
      const i = podCompletionIndex(pod, completions ?? 0);
      const counted = pendingFailed.has(pod.metadata.uid!) || !hasTrackingFinalizer(pod);
      if (i !== undefined && counted && !completedIndexes!.has(i) && failsIndex(job, pod, verdicts.get(pod))) failedIndexes.add(i);
    }
  }
  const succeededTotal = indexed ? completedIndexes!.size : succeeded + pendingSucceeded.size;
  const failedTotal = failed + pendingFailed.size;

  // 3. Is the Job done, one way or the other?
  let conditions: JobCondition[] = [...((old.conditions ?? []) as JobCondition[])];
  const finished = isJobFinished(job);
  let startTime = old.startTime;
  if (!finished) {
    if (suspended) {
      if (!condition(job, 'Suspended')) {
        conditions = setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', nowText);
        events.push({ type: 'Normal', reason: JobEventReason.Suspended, message: 'Job suspended' });
      }
    } else {
      if (condition(job, 'Suspended')) {
        conditions = setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', nowText);
        events.push({ type: 'Normal', reason: JobEventReason.Resumed, message: 'Job resumed' });
        // activeDeadlineSeconds counts from the resumption.
        startTime = nowText;
      }
      startTime ??= nowText;
    }
  }
  const target = condition(job, 'FailureTarget') ?? condition(job, 'SuccessCriteriaMet');
  let ending: { type: 'FailureTarget' | 'SuccessCriteriaMet'; reason: string; message: string } | undefined = target
    ? { type: target.type as 'FailureTarget' | 'SuccessCriteriaMet', reason: target.reason ?? '', message: target.message ?? '' }
    : undefined;
  if (!finished && !ending && !suspended) {
    const successPolicyMet = indexed && spec.successPolicy ? matchSuccessPolicy(job, completedIndexes!) : undefined;
    const deadlineMs = spec.activeDeadlineSeconds !== undefined && startTime ? parseTime(startTime) + spec.activeDeadlineSeconds * 1000 : Number.NaN;
    const backoffLimit: number = spec.backoffLimit ?? 6;
    const restartsExceeded = spec.template?.spec?.restartPolicy === 'OnFailure' && (backoffLimit === 0 ? activeRestarts(active) > 0 : activeRestarts(active) >= backoffLimit);
    if (failJob) ending = { type: 'FailureTarget', reason: 'PodFailurePolicy', message: failJob.message };
    else if (failedTotal > backoffLimit || restartsExceeded) ending = { type: 'FailureTarget', ...BACKOFF_LIMIT };
    else if (!Number.isNaN(deadlineMs) && now >= deadlineMs) ending = { type: 'FailureTarget', ...DEADLINE };
    else if (failedIndexes && spec.maxFailedIndexes !== undefined && failedIndexes.size > spec.maxFailedIndexes) ending = { type: 'FailureTarget', ...MAX_FAILED_INDEXES_EXCEEDED };
    else if (failedIndexes && failedIndexes.size > 0 && failedIndexes.size + succeededTotal >= (completions ?? 0)) ending = { type: 'FailureTarget', ...FAILED_INDEXES };
    else if (successPolicyMet) ending = { type: 'SuccessCriteriaMet', reason: SUCCESS_POLICY_REASON, message: successPolicyMet };
    else if (completions !== undefined ? succeededTotal >= completions : succeededTotal > 0 && active.length === 0) ending = { type: 'SuccessCriteriaMet', ...SUCCESS };
    else if (!Number.isNaN(deadlineMs)) plan.requeueAfterMs = deadlineMs - now;
    if (ending) conditions = setCondition(conditions, ending.type, 'True', ending.reason, ending.message, nowText);
  }

  // 4. Pods: while the Job runs, keep the wanted number active; once it ends (or is suspended), none.
  let activeAfter = active.length;
  if (!finished && input.expectationsSatisfied) {
    if (ending || suspended) {
      plan.delete = active.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    } else {
      const replacementWaits = spec.podReplacementPolicy === 'Failed' ? terminating.length : 0;
      let wantActive: number;
      if (completions === undefined) wantActive = succeededTotal > 0 ? active.length : parallelism;
      else wantActive = Math.max(0, Math.min(parallelism, completions - succeededTotal));
      if (indexed) {
        // Failed indexes get no more pods; with per-index back-off, an index waits out its own delay.
        const skip = new Set([...completedIndexes!, ...(failedIndexes ?? [])]);
        const lastFailed = perIndex ? lastFailedByIndex(failedPods, completions ?? 0) : new Map<number, KubeObject>();
        const running = new Set(active.map((p) => podCompletionIndex(p, completions ?? 0)));
        for (const [i, pod] of lastFailed) {
          if (skip.has(i) || running.has(i)) continue;
          const wait = indexBackoffRemaining(pod, now);
          if (wait > 0) {
            skip.add(i);
            plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? wait, wait);
          }
        }
        const { create, excess } = planIndexes(active, skip, completions ?? 0, wantActive - replacementWaits, terminating, spec.podReplacementPolicy === 'Failed');
        plan.delete = excess;
        plan.create.indexes = create;
        if (perIndex) plan.create.indexFailureCounts = Object.fromEntries(create.map((i) => [i, nextIndexFailureCount(lastFailed.get(i))]));
      } else if (active.length > wantActive) {
        plan.delete = rankPodsForDeletion(active, active, now).slice(0, Math.min(active.length - wantActive, MAX_POD_CREATE_DELETE_PER_SYNC));
      } else {
        plan.create.count = Math.min(MAX_POD_CREATE_DELETE_PER_SYNC, Math.max(0, wantActive - active.length - replacementWaits));
      }
      if (!perIndex && (plan.create.count > 0 || plan.create.indexes.length > 0)) {
        const wait = computeBackoffRemaining(failedPods, succeededPods, now);
        if (wait > 0) {
          plan.create = { count: 0, indexes: [] };
          plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? wait, wait);
        }
      }
    }
    activeAfter = active.length - plan.delete.length + plan.create.count + plan.create.indexes.length;
  }

  // 5. The terminal condition once no pod of the Job runs or is being counted any more.
  const settled = activeAfter === 0 && terminating.length === 0 && pendingSucceeded.size === 0 && pendingFailed.size === 0 && plan.delete.length === 0;
  let completionTime = old.completionTime;
  if (!finished && ending && settled) {
    if (ending.type === 'SuccessCriteriaMet') {
      conditions = setCondition(conditions, 'Complete', 'True', ending.reason, ending.message, nowText);
      completionTime = nowText;
      events.push({ type: 'Normal', reason: JobEventReason.Completed, message: 'Job completed' });
    } else {
      conditions = setCondition(conditions, 'Failed', 'True', ending.reason, ending.message, nowText);
      events.push({ type: 'Warning', reason: ending.reason, message: ending.message });
    }
  }

  const ready = active.filter((p) => ((p.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True')).length;
  const status: JobStatus = {
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
    active: finished ? 0 : activeAfter,
    ready: finished ? 0 : ready,
    // The counts hold counted pods only: those still in uncountedTerminatedPods are added when they move.
    succeeded: indexed ? succeededTotal : succeeded,
    failed,
    terminating: terminating.length,
    ...(indexed ? { completedIndexes: formatIndexes(completedIndexes!) } : {}),
    ...(failedIndexes ? { failedIndexes: formatIndexes(failedIndexes) } : {}),
    uncountedTerminatedPods: {
      ...(keepSucceeded.length > 0 ? { succeeded: keepSucceeded } : {}),
      ...(keepFailed.length > 0 ? { failed: keepFailed } : {}),
    },
  };
  plan.status = status;
  return plan;
}

/**
 * Indexed Jobs: the lowest indexes that have neither succeeded nor an active pod, up to `want`
 * active in all; a second active pod for one index is excess.
 */
function planIndexes(active: KubeObject[], completed: Set<number>, completions: number, want: number, terminating: KubeObject[], waitForTerminating: boolean): { create: number[]; excess: KubeObject[] } {
  const taken = new Set<number>();
  const excess: KubeObject[] = [];
  for (const pod of active) {
    const i = podCompletionIndex(pod, completions);
    if (i === undefined || taken.has(i) || completed.has(i)) excess.push(pod);
    else taken.add(i);
  }
  if (waitForTerminating) for (const pod of terminating) {
    const i = podCompletionIndex(pod, completions);
    if (i !== undefined) taken.add(i);
  }
  const create: number[] = [];
  let running = active.length - excess.length;
  for (let i = 0; i < completions && running + create.length < want && create.length < MAX_POD_CREATE_DELETE_PER_SYNC; i++) {
    if (!taken.has(i) && !completed.has(i)) create.push(i);
  }
  // Too many for the wanted parallelism: the highest indexes go.
  while (running > want) {
    const victim = active.filter((p) => !excess.includes(p)).sort((a, b) => (podCompletionIndex(b, completions) ?? 0) - (podCompletionIndex(a, completions) ?? 0))[0];
    if (!victim) break;
    excess.push(victim);
    running--;
  }
  return { create, excess };
}
