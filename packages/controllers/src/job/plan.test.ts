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
