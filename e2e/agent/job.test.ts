// A Job on the real Docker engine, with the real kubectl: `kubectl create job` (protobuf), the pod
// runs busybox to completion, `kubectl wait --for=condition=complete` returns, `kubectl logs job/X`
// prints what the container wrote, and an Indexed Job's containers read JOB_COMPLETION_INDEX.
import { JOBS, type KubeObject } from '@skiff/api';
import { listPods } from '../support/cluster.ts';
import { useCluster } from '../support/use-cluster.ts';

const cluster = useCluster({ nodes: [{ name: 'e2e-job-1', ip: '127.0.42.1' }] });

test('kubectl create job runs to completion; kubectl logs job/X prints its output', async () => {
  await cluster.kubectl.ok(['create', 'job', 'hello', '--image=skiff/busybox:1', '--', 'sh', '-c', 'echo hello from a job']);
  await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/hello', '--timeout=90s']);
  const job = await cluster.client.get<KubeObject>(JOBS, 'default', 'hello');
  expect(job.status).toMatchObject({ succeeded: 1, failed: 0, active: 0 });
  expect(await cluster.kubectl.ok(['logs', 'job/hello'])).toBe('hello from a job\n');
  expect(await cluster.kubectl.ok(['get', 'job', 'hello', '--no-headers'])).toMatch(/^hello\s+Complete\s+1\/1\s+\S+\s+\S+/);
  const [pod] = await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=hello');
  expect(pod.status?.phase).toBe('Succeeded');
  expect(pod.metadata.finalizers ?? []).toEqual([]);
}, 120_000);

test('an Indexed Job: each container sees its JOB_COMPLETION_INDEX', async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], `
apiVersion: batch/v1
kind: Job
metadata: { name: indexed }
spec:
  completions: 2
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
        - { name: main, image: skiff/busybox:1, command: [sh, -c, 'echo index=$JOB_COMPLETION_INDEX'] }
`);
  await cluster.kubectl.ok(['wait', '--for=condition=complete', 'job/indexed', '--timeout=90s']);
  const pods = await listPods(cluster.client, 'default', 'batch.kubernetes.io/job-name=indexed');
  const outputs = await Promise.all(pods.map((p) => cluster.kubectl.ok(['logs', p.metadata.name!])));
  expect(outputs.sort()).toEqual(['index=0\n', 'index=1\n']);
}, 120_000);
