// Jobs on hollow nodes (the simulated runtime, as `skiff agent --runtime sim` runs them), driven
// by the real kubectl: create job, wait --for=condition=complete, get jobs, describe, completions
// and parallelism, Indexed mode, backoffLimit, podFailurePolicy, activeDeadlineSeconds, suspend
// and ttlSecondsAfterFinished. Simulated containers exit after SIM_EXIT_AFTER_MS with
// SIM_EXIT_CODE, so a Job's pods finish as real ones do.
import { SimRuntime } from '@skiff/agent';
import { JOBS, PODS, type KubeObject } from '@skiff/api';
import { listPods, startCluster, until, type TestCluster } from '../support/cluster.ts';

const HOLLOW = Array.from({ length: 3 }, (_, i) => ({ name: `e2e-jobs-${i + 1}`, ip: `127.0.21.${i + 1}` }));
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: HOLLOW, runtime: () => new SimRuntime({ images: ['skiff/busybox:1'], startLatencyMs: 10 }), serveEndpoint: false });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

function jobYaml(name: string, spec: string, exit: { afterMs: number; code: number }, podSpec = ''): string {
  return `
apiVersion: batch/v1
kind: Job
metadata: { name: ${name} }
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
${podSpec}
      containers:
        - name: main
          image: skiff/busybox:1
          env:
            - { name: SIM_EXIT_AFTER_MS, value: "${exit.afterMs}" }
            - { name: SIM_EXIT_CODE, value: "${exit.code}" }
`;
}

const getJob = (name: string) => cluster.client.get<KubeObject>(JOBS, 'default', name);
const conditionOf = (job: KubeObject, type: string) => (job.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

test('completions 6 at parallelism 2: never more than 2 at once, then Complete; kubectl wait, get and describe read it', async () => {
  let maxActive = 0;
  const seen = new Map<string, KubeObject>();
  const watchActive = setInterval(() => void listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=six').then((ps) => {
    for (const p of ps) seen.set(p.metadata.uid!, p);
    maxActive = Math.max(maxActive, ps.filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase) && !p.metadata.deletionTimestamp).length);
  }), 20);
  try {
    await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('six', '  completions: 6\n  parallelism: 2', { afterMs: 150, code: 0 }));
    await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/six', '--timeout=60s']);
  } finally {
    clearInterval(watchActive);
  }
  expect(maxActive).toBeLessThanOrEqual(2);
  const job = await getJob('six');
  expect(job.status).toMatchObject({ succeeded: 6, failed: 0, active: 0, ready: 0, uncountedTerminatedPods: {} });
  expect(conditionOf(job, 'SuccessCriteriaMet')).toMatchObject({ status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
  expect(conditionOf(job, 'Complete')).toMatchObject({ status: 'True', reason: 'CompletionsReached' });
  expect(job.status.completionTime).toBeDefined();
  // Every pod counted once: 6 pods, none left holding the tracking finalizer.
  const pods = await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=six');
  expect(pods).toHaveLength(6);
  expect(pods.every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking'))).toBe(true);

  const table = await cluster.kubectl.ok(['get', 'jobs']);
  expect(table.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
  expect(table).toMatch(/six\s+Complete\s+6\/6\s+\S+\s+\S+/);
  const wide = await cluster.kubectl.ok(['get', 'job', 'six', '-o', 'wide']);
  expect(wide).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
  expect(wide).toMatch(/main\s+skiff\/busybox:1\s+batch.kubernetes.io\/controller-uid=/);
  const describe = await cluster.kubectl.ok(['describe', 'job', 'six']);
  expect(describe).toMatch(/Parallelism:\s+2/);
  expect(describe).toMatch(/Completions:\s+6/);
  expect(describe).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 6 Succeeded \/ 0 Failed/);
  expect(describe).toMatch(/Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
}, 90_000);

test('kubectl create job (protobuf) runs one pod to completion', async () => {
  await cluster.kubectl.ok(['create', 'job', 'made', '--image=skiff/busybox:1', '--', 'true']);
  const job = await getJob('made');
  expect(job.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
  expect(job.spec.template.spec.containers[0]).toMatchObject({ name: 'made', image: 'skiff/busybox:1', command: ['true'] });
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
}, 30_000);

test('Indexed: each index once, JOB_COMPLETION_INDEX from the annotation, completedIndexes', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('idx', '  completions: 4\n  parallelism: 4\n  completionMode: Indexed', { afterMs: 100, code: 0 }));
  await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/idx', '--timeout=60s']);
  const job = await getJob('idx');
  expect(job.status).toMatchObject({ succeeded: 4, completedIndexes: '0-3' });
  const pods = await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=idx');
  const indexes = pods.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index']).sort();
  expect(indexes).toEqual(['0', '1', '2', '3']);
  for (const p of pods) {
    const i = p.metadata.annotations!['batch.kubernetes.io/job-completion-index'];
    expect(p.metadata.name).toMatch(new RegExp(`^idx-${i}-`));
    expect(p.metadata.labels!['batch.kubernetes.io/job-completion-index']).toBe(i);
    expect(p.spec.hostname).toBe(`idx-${i}`);
    expect(p.spec.containers[0].env).toContainEqual({ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } });
  }
}, 60_000);

test('backoffLimit 1: two failed pods, the second after the back-off, then FailureTarget and Failed', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('fails', '  backoffLimit: 1', { afterMs: 20, code: 3 }));
  await cluster.kubectl.ok(['wait', '--for=condition=failed', 'job/fails', '--timeout=60s']);
  const job = await getJob('fails');
  expect(job.status).toMatchObject({ failed: 2, succeeded: 0, active: 0 });
  expect(conditionOf(job, 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
  expect(conditionOf(job, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
  const pods = (await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=fails')).sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!));
  expect(pods).toHaveLength(2);
  // The replacement waited Kubernetes' first back-off step (10 s) after the first failure.
  const firstFinished = Date.parse(pods[0].status.containerStatuses[0].state.terminated.finishedAt);
  const secondCreated = Date.parse(pods[1].metadata.creationTimestamp!);
  expect(secondCreated - firstFinished).toBeGreaterThanOrEqual(9_000);
  expect(await cluster.kubectl.ok(['get', 'job', 'fails', '--no-headers'])).toMatch(/fails\s+Failed\s+0\/1/);
}, 60_000);

test('podFailurePolicy: exit code 42 fails the Job at once, an ignored exit code is not counted', async () => {
  const policy = `  backoffLimit: 6
  podFailurePolicy:
    rules:
      - action: FailJob
        onExitCodes: { containerName: main, operator: In, values: [42] }`;
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('policy', policy, { afterMs: 20, code: 42 }));
  await cluster.kubectl.ok(['wait', '--for=condition=failed', 'job/policy', '--timeout=30s']);
  const job = await getJob('policy');
  expect(conditionOf(job, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy' });
  expect(conditionOf(job, 'Failed').message).toMatch(/^Container main for pod default\/policy-\w+ failed with exit code 42 matching FailJob rule at index 0$/);
  expect(job.status.failed).toBe(1);
}, 60_000);

test('backoffLimitPerIndex 1: each index retried once after its own back-off, then failedIndexes and Failed (FailedIndexes)', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('perindex', '  completionMode: Indexed\n  completions: 2\n  parallelism: 2\n  backoffLimitPerIndex: 1', { afterMs: 20, code: 3 }));
  await cluster.kubectl.ok(['wait', '--for=condition=failed', 'job/perindex', '--timeout=60s']);
  const job = await getJob('perindex');
  expect(job.spec.backoffLimit).toBe(2147483647);
  expect(job.status).toMatchObject({ failed: 4, succeeded: 0, active: 0, failedIndexes: '0,1', completedIndexes: '' });
  expect(conditionOf(job, 'Failed')).toMatchObject({ status: 'True', reason: 'FailedIndexes', message: 'Job has failed indexes' });
  const pods = await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=perindex');
  for (const index of ['0', '1']) {
    const mine = pods.filter((p) => p.metadata.annotations!['batch.kubernetes.io/job-completion-index'] === index).sort((a, b) => a.metadata.creationTimestamp!.localeCompare(b.metadata.creationTimestamp!));
    // Two tries per index: failure counts 0 and 1, the second 10 s after the first failed.
    expect(mine.map((p) => p.metadata.annotations!['batch.kubernetes.io/job-index-failure-count'])).toEqual(['0', '1']);
    expect(Date.parse(mine[1].metadata.creationTimestamp!) - Date.parse(mine[0].status.containerStatuses[0].state.terminated.finishedAt)).toBeGreaterThanOrEqual(9_000);
  }
}, 60_000);

test('maxFailedIndexes 0: the first failed index fails the Job at once (MaxFailedIndexesExceeded)', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('maxfailed', '  completionMode: Indexed\n  completions: 3\n  parallelism: 1\n  backoffLimitPerIndex: 0\n  maxFailedIndexes: 0', { afterMs: 20, code: 3 }));
  await cluster.kubectl.ok(['wait', '--for=condition=failed', 'job/maxfailed', '--timeout=30s']);
  const job = await getJob('maxfailed');
  expect(conditionOf(job, 'Failed')).toMatchObject({ reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' });
  expect(job.status).toMatchObject({ failed: 1, failedIndexes: '0' });
  expect(await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=maxfailed')).toHaveLength(1);
}, 60_000);

test('successPolicy: succeededCount 1 of 3 completes the Job after index 0, with reason SuccessPolicy', async () => {
  const policy = '  completionMode: Indexed\n  completions: 3\n  parallelism: 1\n  successPolicy:\n    rules:\n      - succeededCount: 1';
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('enough', policy, { afterMs: 50, code: 0 }));
  await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/enough', '--timeout=30s']);
  const job = await getJob('enough');
  expect(conditionOf(job, 'SuccessCriteriaMet')).toMatchObject({ status: 'True', reason: 'SuccessPolicy', message: 'Matched rules at index 0' });
  expect(conditionOf(job, 'Complete')).toMatchObject({ status: 'True', reason: 'SuccessPolicy' });
  expect(job.status).toMatchObject({ succeeded: 1, completedIndexes: '0' });
  expect(await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=enough')).toHaveLength(1);
}, 60_000);

test('managedBy another controller: the built-in Job controller leaves the Job alone', async () => {
  const res = await cluster.kubectl.run(['apply', '-f', '-'], jobYaml('external', '  managedBy: example.com/batch-operator', { afterMs: 20, code: 0 }));
  expect(res.stderr).not.toMatch(/not enforced/);
  // A Job created after it runs to completion: the controller has had its turn at both.
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('internal', '', { afterMs: 20, code: 0 }));
  await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/internal', '--timeout=30s']);
  const job = await getJob('external');
  expect(job.status ?? {}).toEqual({});
  expect(await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=external')).toHaveLength(0);
}, 60_000);

test('activeDeadlineSeconds: running pods are stopped and the Job fails with DeadlineExceeded', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('late', '  activeDeadlineSeconds: 2', { afterMs: 600_000, code: 0 }));
  await cluster.kubectl.ok(['wait', '--for=condition=failed', 'job/late', '--timeout=30s']);
  const job = await getJob('late');
  expect(conditionOf(job, 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  const pods = await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=late');
  expect(pods.every((p) => p.status?.phase === 'Failed' || p.metadata.deletionTimestamp)).toBe(true);
}, 60_000);

test('suspend: no pods while suspended, Suspended condition; resumed it completes', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('held', '  suspend: true', { afterMs: 50, code: 0 }));
  await until('Suspended condition', async () => conditionOf(await getJob('held'), 'Suspended')?.status === 'True');
  expect(await cluster.kubectl.ok(['get', 'job', 'held', '--no-headers'])).toMatch(/held\s+Suspended\s+0\/1/);
  expect(await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=held')).toHaveLength(0);
  await cluster.kubectl.ok(['patch', 'job', 'held', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
  await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/held', '--timeout=30s']);
  expect(conditionOf(await getJob('held'), 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
}, 60_000);

test('ttlSecondsAfterFinished: the finished Job and its pods are deleted', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], jobYaml('brief', '  ttlSecondsAfterFinished: 1', { afterMs: 20, code: 0 }));
  await until('job deleted', async () => {
    try {
      await getJob('brief');
      return false;
    } catch {
      return true;
    }
  }, { timeoutMs: 30_000 });
  await until('pods deleted', async () => (await cluster.client.list(PODS, { namespace: 'default', labelSelector: 'batch.kubernetes.io/job-name=brief' })).items.length === 0, { timeoutMs: 30_000 });
}, 60_000);
