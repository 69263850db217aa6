// emptyDir sizeLimit on real Docker, as the kubelet enforces it: a disk emptyDir whose usage passes
// its limit gets the pod evicted (phase Failed, reason Evicted, Kubernetes' message and event, the
// containers stopped and never restarted, the volume's data removed); a memory emptyDir is a tmpfs
// of the limit's size, so it fills up (ENOSPC) without evicting anything.
import { existsSync } from 'node:fs';
import { containerStatus, docker, dockerIds, podEvents, podManifest, until } from '../support/cluster.ts';
import { podVerbs, useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-emptydir-limit-1', ip: '127.0.31.1' }];

// The agent measures every 300 ms here (10 s by default, the kubelet's monitoring period).
const cluster = useCluster({ nodes: NODES, agent: { emptyDirCheckIntervalMs: 300 } });
const { create, pod } = podVerbs(cluster, NS);
const exec = (name: string, script: string) => cluster.kubectl.run(['exec', name, '--', 'sh', '-c', script]);
const hostDirOf = async (name: string, target: string) => {
  const [id] = await dockerIds(['--filter', `label=io.kubernetes.pod.name=${name}`, '--filter', `label=dev.skiff.node=${NODES[0].name}`]);
  const mounts = JSON.parse(await docker(['inspect', '-f', '{{json .Mounts}}', id])) as { Source: string; Destination: string }[];
  return mounts.find((m) => m.Destination === target)!.Source;
};

test('a disk emptyDir past its sizeLimit evicts the pod; one under it and a full memory emptyDir do not', async () => {
  // Written first: a full 1Mi tmpfs and a disk emptyDir at half its limit.
  await create(podManifest('mem-full', NS, {
    command: ['sh', '-c', 'dd if=/dev/zero of=/mem/fill bs=1024 count=2048 2>/mem-dd.err; echo done > /tmp/written; sleep 3600'],
    volumeMounts: [{ name: 'mem', mountPath: '/mem' }],
  }, { terminationGracePeriodSeconds: 0, volumes: [{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }] }));
  await create(podManifest('under', NS, {
    command: ['sh', '-c', 'dd if=/dev/zero of=/data/half bs=1024 count=512; echo done > /tmp/written; sleep 3600'],
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  }, { terminationGracePeriodSeconds: 0, volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Mi' } }] }));
  for (const name of ['mem-full', 'under']) await until(`${name} has written`, async () => (await exec(name, 'cat /tmp/written')).stdout === 'done\n', { timeoutMs: 30_000 });
  expect((await exec('mem-full', 'cat /mem-dd.err')).stdout).toMatch(/No space left on device/);

  // Then one that writes 2 MiB into a 1Mi emptyDir on disk (restartPolicy Always: it would be
  // restarted if it merely exited).
  await create(podManifest('hog', NS, {
    command: ['sh', '-c', 'dd if=/dev/zero of=/data/big bs=1024 count=2048; sleep 3600'],
    volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'mem', mountPath: '/mem' }],
  }, { terminationGracePeriodSeconds: 30, volumes: [{ name: 'mem', emptyDir: { medium: 'Memory' } }, { name: 'data', emptyDir: { sizeLimit: '1Mi' } }] }));
  await until('hog running', async () => containerStatus(await pod('hog'))?.state.running, { timeoutMs: 30_000 });
  const dataDir = await hostDirOf('hog', '/data');
  const message = 'Usage of EmptyDir volume "data" exceeds the limit "1Mi". ';

  const evicted = await until('hog evicted', async () => {
    const p = await pod('hog');
    return p.status?.phase === 'Failed' && !containerStatus(p)?.state.running ? p : undefined;
  }, { timeoutMs: 30_000 });
  expect(evicted.status).toMatchObject({ phase: 'Failed', reason: 'Evicted', message });
  expect(containerStatus(evicted)!.state.terminated).toBeDefined();
  expect(containerStatus(evicted)!.restartCount).toBe(0);
  expect(await podEvents(cluster.client, NS, 'hog')).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'Evicted', message }));
  // kubectl get shows the killed container's reason (as for an evicted pod on Kubernetes 1.32);
  // describe shows the pod's.
  expect(await cluster.kubectl.ok(['get', 'pod', 'hog', '--no-headers'])).toMatch(/^hog\s+0\/1\s+Error\s+0\s/);
  const described = await cluster.kubectl.ok(['describe', 'pod', 'hog']);
  expect(described).toMatch(/^Status:\s+Failed$/m);
  expect(described).toMatch(/^Reason:\s+Evicted$/m);
  expect(described).toMatch(/^Message:\s+Usage of EmptyDir volume "data" exceeds the limit "1Mi"\.\s*$/m);
  // The evicted pod's volumes are released: the emptyDir's data is gone from the host.
  await until('the evicted emptyDir removed', async () => !existsSync(dataDir));

  // An eviction is final, also for an agent started again (it reads it from the pod's status): by
  // the time a pod created after the restart runs, the restarted agent has synced hog and started nothing.
  await cluster.stopAgent(0);
  await cluster.startAgent(0);
  await create(podManifest('after', NS, { command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 0 }));
  await until('after running', async () => containerStatus(await pod('after'))?.state.running, { timeoutMs: 30_000 });
  expect((await pod('hog')).status).toMatchObject({ phase: 'Failed', reason: 'Evicted', message });
  expect((await dockerIds(['--filter', 'label=io.kubernetes.pod.name=hog', '--filter', 'status=running'])).length).toBe(0);

  // The pods measured in the same passes were left alone.
  for (const name of ['mem-full', 'under']) expect((await pod(name)).status).toMatchObject({ phase: 'Running' });
  expect((await pod('under')).status?.reason).toBeUndefined();
}, 90_000);
