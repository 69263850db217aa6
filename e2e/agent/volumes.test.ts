// Volumes on real Docker: emptyDir shared by a pod's containers (on disk and in memory, with its
// size limit), hostPath with its type check, subPath and readOnly mounts, and everything of the
// pod's own removed with it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@skiff/api';
import { docker, dockerIds, getPod, PODS, podEvents, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-volumes-1', ip: '127.0.14.1' }];
let cluster: TestCluster;
let hostDir: string;

beforeAll(async () => {
  hostDir = mkdtempSync(join(tmpdir(), 'skiff-e2e-hostpath-'));
  cluster = await startCluster({ nodes: NODES });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
  rmSync(hostDir, { recursive: true, force: true });
}, 30_000);

const create = (pod: KubeObject) => cluster.client.create(PODS, pod, {});
const idOf = async (pod: string, container: string) => (await dockerIds(['--filter', `label=io.kubernetes.pod.name=${pod}`, '--filter', `label=io.kubernetes.container.name=${container}`, '--filter', `label=dev.skiff.node=${NODES[0].name}`]))[0];
const running = (name: string) =>
  until(`${name} Running`, async () => {
    const p = await getPod(cluster.client, NS, name);
    return p.status?.phase === 'Running' && ((p.status.containerStatuses ?? []) as { ready: boolean }[]).every((c) => c.ready) ? p : undefined;
  }, { timeoutMs: 30_000 }); // a pod with several volumes and containers (and its holder) starting on a busy CI machine
const exec = (pod: string, container: string, script: string) => cluster.kubectl.run(['exec', pod, '-c', container, '--', 'sh', '-c', script]);

test('an emptyDir is shared by the containers of a pod, writable by all, and removed with the pod', async () => {
  writeFileSync(join(hostDir, 'motd'), 'from the host\n');
  await create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'shared', namespace: NS },
    spec: {
      terminationGracePeriodSeconds: 0,
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
        { name: 'host', hostPath: { path: hostDir, type: 'Directory' } },
      ],
      containers: [
        {
          name: 'writer',
          image: 'skiff/busybox:1',
          command: ['sh', '-c', 'echo hello > /scratch/greeting; mkdir -p /scratch/sub; echo deep > /scratch/sub/file; sleep 3600'],
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'mem', mountPath: '/mem' }, { name: 'host', mountPath: '/host' }],
        },
        {
          name: 'reader',
          image: 'skiff/busybox:1',
          command: ['sleep', '3600'],
          volumeMounts: [
            { name: 'scratch', mountPath: '/shared', readOnly: true },
            { name: 'scratch', mountPath: '/only-sub', subPath: 'sub' },
            { name: 'host', mountPath: '/etc/motd', subPath: 'motd', readOnly: true },
          ],
        },
      ],
    },
  } as KubeObject);
  await running('shared');
  expect((await until('the greeting', async () => (await exec('shared', 'reader', 'cat /shared/greeting')).stdout || undefined))).toBe('hello\n');
  expect((await exec('shared', 'reader', 'cat /only-sub/file')).stdout).toBe('deep\n');
  expect((await exec('shared', 'reader', 'cat /etc/motd')).stdout).toBe('from the host\n');
  // readOnly mounts refuse writes; the writable ones take them, and the host sees hostPath writes.
  expect((await exec('shared', 'reader', 'touch /shared/x')).stderr).toMatch(/Read-only file system/);
  expect((await exec('shared', 'writer', 'echo back > /host/reply && stat -c %a /scratch')).stdout).toBe('777\n');
  expect(readFileSync(join(hostDir, 'reply'), 'utf8')).toBe('back\n');
  // Memory: a tmpfs, full at its sizeLimit.
  expect((await exec('shared', 'writer', 'grep " /mem " /proc/mounts')).stdout).toMatch(/^tmpfs \/mem tmpfs rw,.*size=1024k/);
  expect((await exec('shared', 'writer', 'dd if=/dev/zero of=/mem/big bs=1024 count=2048')).stderr).toMatch(/No space left on device/);

  const [id] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=shared', '--filter', 'label=io.kubernetes.container.name=writer']);
  const mounts = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', id])) as { Source: string; Destination: string }[];
  const scratch = mounts.find((m) => m.Destination === '/scratch')!.Source;
  expect(existsSync(join(scratch, 'greeting'))).toBe(true);
  await cluster.client.delete(PODS, NS, 'shared');
  // A grace period of 0 removes the API object at once; the agent then removes the containers and the emptyDir.
  await until('the emptyDir removed with its pod', async () => (await dockerIds(['--filter', 'label=io.kubernetes.pod.name=shared'])).length === 0 && !existsSync(scratch));
  expect(readFileSync(join(hostDir, 'motd'), 'utf8')).toBe('from the host\n'); // hostPath data stays
}, 60_000);

test('non-root init and app containers write into an emptyDir (no Init:CrashLoopBackOff)', async () => {
  // The report of issue 8: a non-root init container could not write into its emptyDir.
  const nonRoot = { runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true };
  await create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nonroot', namespace: NS },
    spec: {
      terminationGracePeriodSeconds: 0,
      securityContext: nonRoot,
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [{ name: 'prepare', image: 'skiff/busybox:1', command: ['sh', '-c', 'mkdir /work/site && echo "made by $(id -u)" > /work/site/index'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      containers: [{ name: 'app', image: 'skiff/busybox:1', command: ['sh', '-c', 'echo "app $(id -u)" >> /work/site/index; sleep 3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
    },
  } as KubeObject);
  const p = await running('nonroot');
  expect(p.status?.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  expect(await cluster.kubectl.ok(['get', 'pod', 'nonroot', '--no-headers'])).toMatch(/^nonroot\s+1\/1\s+Running\s+0\s/);
  expect(await until('both lines', async () => ((await exec('nonroot', 'app', 'cat /work/site/index')).stdout.includes('app') ? (await exec('nonroot', 'app', 'cat /work/site/index; stat -c "%u %a" /work/site')).stdout : undefined))).toBe('made by 1000\napp 1000\n1000 755\n');
  await cluster.client.delete(PODS, NS, 'nonroot');
}, 60_000);

test('a hostPath whose type check fails holds the pod with a FailedMount event', async () => {
  await create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'badhost', namespace: NS },
    spec: { terminationGracePeriodSeconds: 0, volumes: [{ name: 'h', hostPath: { path: join(hostDir, 'motd'), type: 'Directory' } }], containers: [{ name: 'main', image: 'skiff/busybox:1', command: ['sleep', '3600'], volumeMounts: [{ name: 'h', mountPath: '/h' }] }] },
  } as KubeObject);
  const event = await until('FailedMount', async () => (await podEvents(cluster.client, NS, 'badhost')).find((e) => e.reason === 'FailedMount'));
  expect(event).toMatchObject({ type: 'Warning', message: `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(hostDir, 'motd')} is not a directory` });
  const p = await getPod(cluster.client, NS, 'badhost');
  expect(p.status?.phase).toBe('Pending');
  expect(await idOf('badhost', 'main')).toBeUndefined();
  expect(await cluster.kubectl.ok(['get', 'pod', 'badhost', '--no-headers'])).toMatch(/badhost\s+0\/1\s+ContainerCreating/);
}, 30_000);
