import type { KubeObject } from '@skiff/api';
import { planJob } from './plan.ts';
import { computeBackoffRemaining } from './pods.ts';
import { formatIndexes, parseIndexes } from './indexes.ts';
import { matchPodFailurePolicy } from './failure-policy.ts';
import { computeJobPod } from './pod-template.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const FIN = 'batch.kubernetes.io/job-tracking';
let seq = 0;

function job(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default', uid: 'job-uid', resourceVersion: '5' },
    spec: { completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'x' }] } }, ...spec },
    ...(status ? { status } : {}),
  };
}

function pod(phase: string, o: { finalizer?: boolean; finishedAt?: string; index?: number; exitCode?: number; deleted?: boolean } = {}): KubeObject {
  const uid = `pod-${++seq}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: uid,
      namespace: 'default',
      uid,
      creationTimestamp: '2026-01-01T00:00:00Z',
      finalizers: o.finalizer === false ? [] : [FIN],
      ...(o.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(o.index) } } : {}),
      ...(o.deleted ? { deletionTimestamp: '2026-01-01T00:09:00Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {},
    status: {
      phase,
      containerStatuses: [{ name: 'main', restartCount: 0, state: o.finishedAt ? { terminated: { exitCode: o.exitCode ?? (phase === 'Succeeded' ? 0 : 1), finishedAt: o.finishedAt } } : { running: {} } }],
    },
  };
}

const plan = (j: KubeObject, pods: KubeObject[], now = NOW) => planJob({ job: j, pods, now, expectationsSatisfied: true });

test('a new Job creates min(parallelism, completions) pods and gets a startTime', () => {
  const p = plan(job({ completions: 5, parallelism: 2 }), []);
  expect(p.create.count).toBe(2);
  expect(p.status).toMatchObject({ active: 2, succeeded: 0, failed: 0, startTime: '2026-01-01T00:10:00Z' });
});

test('counting is exactly once: uncounted first, then the finalizer, then the count', () => {
  const done = pod('Succeeded', { finishedAt: '2026-01-01T00:05:00Z' });
  const j = job({ completions: 2, parallelism: 1 }, { startTime: 'x', succeeded: 0, failed: 0 });
  const first = plan(j, [done]);
  expect(first.status.uncountedTerminatedPods).toEqual({ succeeded: [done.metadata.uid] });
  expect(first.status.succeeded).toBe(0);
  expect(first.removeFinalizers).toEqual([done]);
  // Still one to go: one more pod.
  expect(first.create.count).toBe(1);
  const released = { ...done, metadata: { ...done.metadata, finalizers: [] } };
  const second = plan({ ...j, status: first.status }, [released]);
  expect(second.status.succeeded).toBe(1);
  expect(second.status.uncountedTerminatedPods).toEqual({});
  // And never again.
  const third = plan({ ...j, status: second.status }, [released]);
  expect(third.status.succeeded).toBe(1);
});

test('completions reached: SuccessCriteriaMet, then Complete once nothing runs', () => {
  const done = pod('Succeeded', { finalizer: false, finishedAt: '2026-01-01T00:05:00Z' });
  const p = plan(job({}, { startTime: '2026-01-01T00:00:00Z', succeeded: 1, failed: 0 }), [done]);
  const types = (p.status.conditions ?? []).map((c) => `${c.type}:${c.reason}`);
  expect(types).toEqual(['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
  expect(p.status.completionTime).toBe('2026-01-01T00:10:00Z');
  expect(p.events).toContainEqual({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
});

test('back-off: 10 s after one failure, 20 s after two, reset by a success', () => {
  const f1 = pod('Failed', { finishedAt: '2026-01-01T00:09:55Z' });
  expect(computeBackoffRemaining([f1], [], NOW)).toBe(5_000);
  const f0 = pod('Failed', { finishedAt: '2026-01-01T00:09:00Z' });
  expect(computeBackoffRemaining([f0, f1], [], NOW)).toBe(15_000);
  const s = pod('Succeeded', { finishedAt: '2026-01-01T00:09:56Z' });
  expect(computeBackoffRemaining([f0, f1], [s], NOW)).toBe(0);
  // The plan waits and asks to be woken.
  const p = plan(job({}, { startTime: 'x', failed: 1, succeeded: 0 }), [{ ...f1, metadata: { ...f1.metadata, finalizers: [] } }]);
  expect(p.create.count).toBe(0);
  expect(p.requeueAfterMs).toBe(5_000);
});

test('backoffLimit exceeded: FailureTarget, active pods deleted, Failed once they are gone', () => {
  const failed = pod('Failed', { finalizer: false, finishedAt: '2026-01-01T00:01:00Z' });
  const running = pod('Running');
  const j = job({ completions: 3, parallelism: 2, backoffLimit: 0 }, { startTime: 'x', failed: 1, succeeded: 0 });
  const p = plan(j, [failed, running]);
  expect(p.status.conditions?.map((c) => c.type)).toEqual(['FailureTarget']);
  expect(p.delete).toEqual([running]);
  const after = plan({ ...j, status: p.status }, [failed]);
  expect(after.status.conditions?.map((c) => `${c.type}:${c.reason}`)).toEqual(['FailureTarget:BackoffLimitExceeded', 'Failed:BackoffLimitExceeded']);
  expect(after.events).toContainEqual({ type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
});

test('activeDeadlineSeconds: DeadlineExceeded after the deadline, a wake-up before it', () => {
  const j = job({ activeDeadlineSeconds: 60 }, { startTime: '2026-01-01T00:09:30Z', succeeded: 0, failed: 0 });
  const running = pod('Running');
  expect(plan(j, [running]).requeueAfterMs).toBe(30_000);
  const late = plan(j, [running], NOW + 30_000);
  expect(late.status.conditions?.[0]).toMatchObject({ type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  expect(late.delete).toEqual([running]);
});

test('suspend deletes the active pods and is not counted as a failure; resume resets startTime', () => {
  const running = pod('Running');
  const j = job({ suspend: true }, { startTime: '2026-01-01T00:00:00Z', succeeded: 0, failed: 0 });
  const p = plan(j, [running]);
  expect(p.delete).toEqual([running]);
  expect(p.status.conditions?.[0]).toMatchObject({ type: 'Suspended', status: 'True', reason: 'JobSuspended' });
  const stopped = pod('Running', { deleted: true });
  stopped.metadata.deletionGracePeriodSeconds = 0;
  const q = plan({ ...j, status: p.status }, [stopped]);
  expect(q.status.uncountedTerminatedPods).toEqual({});
  expect(q.removeFinalizers).toEqual([stopped]);
  const resumed = plan({ ...j, spec: { ...j.spec, suspend: false }, status: q.status }, []);
  expect(resumed.status.conditions?.[0]).toMatchObject({ type: 'Suspended', status: 'False', reason: 'JobResumed' });
  expect(resumed.status.startTime).toBe('2026-01-01T00:10:00Z');
});

test('Indexed: the lowest missing indexes, completedIndexes compressed, a duplicate index deleted', () => {
  const j = job({ completionMode: 'Indexed', completions: 6, parallelism: 3 }, { startTime: 'x', succeeded: 2, failed: 0, completedIndexes: '0,2' });
  const a = pod('Running', { index: 1 });
  const dup = pod('Running', { index: 1 });
  const p = plan(j, [a, dup]);
  expect(p.delete).toEqual([dup]);
  expect(p.create.indexes).toEqual([3, 4]);
  expect(formatIndexes([1, 3, 4, 5, 7])).toBe('1,3-5,7');
  expect([...parseIndexes('1,3-5,7', 6)]).toEqual([1, 3, 4, 5]);
});

test('podFailurePolicy: FailJob on an exit code, Ignore not counted', () => {
  const rules = [
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
  ];
  const j = job({ podFailurePolicy: { rules } }, { startTime: 'x', succeeded: 0, failed: 0 });
  const p42 = pod('Failed', { finishedAt: '2026-01-01T00:05:00Z', exitCode: 42 });
  expect(matchPodFailurePolicy(j, p42)?.message).toBe(`Container main for pod default/${p42.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
  const failed = plan(j, [p42]);
  expect(failed.status.conditions?.[0]).toMatchObject({ type: 'FailureTarget', reason: 'PodFailurePolicy' });
  const p7 = pod('Failed', { finishedAt: '2026-01-01T00:05:00Z', exitCode: 7 });
  const ignored = plan(j, [p7]);
  expect(ignored.status.uncountedTerminatedPods).toEqual({});
  expect(ignored.removeFinalizers).toEqual([p7]);
  expect(ignored.create.count).toBe(1);
});

test('the pod of an Indexed Job carries its index four ways', () => {
  const p = computeJobPod(job({ completionMode: 'Indexed', completions: 3 }), 2);
  expect(p.metadata.generateName).toBe('j-2-');
  expect(p.metadata.annotations).toEqual({ 'batch.kubernetes.io/job-completion-index': '2' });
  expect(p.metadata.labels).toMatchObject({ 'batch.kubernetes.io/job-completion-index': '2' });
  expect(p.metadata.finalizers).toEqual([FIN]);
  expect(p.spec.hostname).toBe('j-2');
  expect(p.spec.containers[0].env).toEqual([{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
});

describe('backoffLimitPerIndex and maxFailedIndexes', () => {
  const IDX_FAIL = 'batch.kubernetes.io/job-index-failure-count';
  const withCount = (p: KubeObject, n: number) => ({ ...p, metadata: { ...p.metadata, annotations: { ...p.metadata.annotations, [IDX_FAIL]: String(n) } } });
  const spec = (o: Record<string, unknown> = {}) => ({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 1, backoffLimit: 2147483647, ...o });

  test('a failed index is retried with its own back-off and failure count; other indexes run meanwhile', () => {
    const failed = withCount(pod('Failed', { index: 0, finalizer: false, finishedAt: '2026-01-01T00:09:55Z' }), 0);
    const running = pod('Running', { index: 1 });
    const p = plan(job(spec(), { startTime: 'x', succeeded: 0, failed: 1 }), [failed, running]);
    // Index 0 waits out its 10 s (5 s left); index 2 needs no wait.
    expect(p.create.indexes).toEqual([2]);
    expect(p.create.indexFailureCounts).toEqual({ 2: 0 });
    expect(p.requeueAfterMs).toBe(5_000);
    expect(p.status.failedIndexes).toBe('');
    const later = plan(job(spec(), { startTime: 'x', succeeded: 0, failed: 1 }), [failed, running], NOW + 5_000);
    expect(later.create.indexes).toEqual([0, 2]);
    expect(later.create.indexFailureCounts).toEqual({ 0: 1, 2: 0 });
    // The new pod carries it.
    expect(computeJobPod(job(spec()), 0, 1).metadata.annotations).toMatchObject({ [IDX_FAIL]: '1' });
  });

  test('an index that used up its retries is failed, gets no pod, and the Job fails with FailedIndexes once every index is done', () => {
    const second = withCount(pod('Failed', { index: 0, finishedAt: '2026-01-01T00:09:00Z' }), 1);
    const j = job(spec({ completions: 2, parallelism: 2 }), { startTime: 'x', succeeded: 0, failed: 1 });
    const running = pod('Running', { index: 1 });
    const p = plan(j, [second, running]);
    expect(p.status.uncountedTerminatedPods).toEqual({ failed: [second.metadata.uid] });
    expect(p.status.failedIndexes).toBe('0');
    expect(p.create.indexes).toEqual([]);
    expect(p.status.conditions ?? []).toEqual([]);
    // Index 1 succeeds: all indexes are done, one failed.
    const counted = { ...second, metadata: { ...second.metadata, finalizers: [] } };
    const done = pod('Succeeded', { index: 1, finalizer: false, finishedAt: '2026-01-01T00:09:30Z' });
    const q = plan({ ...j, status: p.status }, [counted, done]);
    expect(q.status).toMatchObject({ failedIndexes: '0', completedIndexes: '1', failed: 2 });
    expect(q.status.conditions?.map((c) => `${c.type}:${c.reason}`)).toEqual(['FailureTarget:FailedIndexes', 'Failed:FailedIndexes']);
    expect(q.status.conditions?.[1].message).toBe('Job has failed indexes');
  });

  test('more failed indexes than maxFailedIndexes fails the Job at once and stops the rest', () => {
    const f0 = withCount(pod('Failed', { index: 0, finalizer: false, finishedAt: '2026-01-01T00:09:00Z' }), 1);
    const f1 = withCount(pod('Failed', { index: 1, finalizer: false, finishedAt: '2026-01-01T00:09:00Z' }), 1);
    const running = pod('Running', { index: 2 });
    const p = plan(job(spec({ completions: 4, parallelism: 4, maxFailedIndexes: 1 }), { startTime: 'x', succeeded: 0, failed: 2 }), [f0, f1, running]);
    expect(p.status.failedIndexes).toBe('0,1');
    expect(p.status.conditions?.[0]).toMatchObject({ type: 'FailureTarget', reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' });
    expect(p.delete).toEqual([running]);
    expect(p.create.indexes).toEqual([]);
  });

  test('podFailurePolicy FailIndex fails the index on the first failure', () => {
    const rules = [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [3] } }];
    const f = withCount(pod('Failed', { index: 1, finalizer: false, finishedAt: '2026-01-01T00:09:00Z', exitCode: 3 }), 0);
    const p = plan(job(spec({ backoffLimitPerIndex: 5, podFailurePolicy: { rules } }), { startTime: 'x', succeeded: 0, failed: 1 }), [f]);
    expect(p.status.failedIndexes).toBe('1');
    expect(p.create.indexes).toEqual([0, 2]);
  });
});

describe('successPolicy', () => {
  const indexed = (o: Record<string, unknown>) => ({ completionMode: 'Indexed', completions: 5, parallelism: 5, ...o });
  const done = (i: number) => pod('Succeeded', { index: i, finalizer: false, finishedAt: '2026-01-01T00:09:00Z' });

  test('succeededIndexes: met once every listed index has succeeded; the other pods are stopped, then Complete', () => {
    const j = job(indexed({ successPolicy: { rules: [{ succeededIndexes: '0,2-3' }] } }), { startTime: 'x', succeeded: 0, failed: 0 });
    const running = pod('Running', { index: 1 });
    const notYet = plan(j, [done(0), done(2), running]);
    expect(notYet.status.conditions ?? []).toEqual([]);
    const met = plan(j, [done(0), done(2), done(3), running]);
    expect(met.status.conditions?.[0]).toMatchObject({ type: 'SuccessCriteriaMet', reason: 'SuccessPolicy', message: 'Matched rules at index 0' });
    expect(met.delete).toEqual([running]);
    expect(met.create.indexes).toEqual([]);
    const after = plan({ ...j, status: met.status }, [done(0), done(2), done(3)]);
    expect(after.status.conditions?.map((c) => `${c.type}:${c.reason}`)).toEqual(['SuccessCriteriaMet:SuccessPolicy', 'Complete:SuccessPolicy']);
    expect(after.status.completedIndexes).toBe('0,2,3');
  });

  test('succeededCount, alone or with succeededIndexes; the first rule that holds is named', () => {
    const rules = [{ succeededIndexes: '3-4', succeededCount: 2 }, { succeededCount: 2 }];
    const j = job(indexed({ successPolicy: { rules } }), { startTime: 'x', succeeded: 0, failed: 0 });
    expect(plan(j, [done(0)]).status.conditions ?? []).toEqual([]);
    expect(plan(j, [done(0), done(1)]).status.conditions?.[0].message).toBe('Matched rules at index 1');
    expect(plan(j, [done(3), done(4)]).status.conditions?.[0].message).toBe('Matched rules at index 0');
  });
});
