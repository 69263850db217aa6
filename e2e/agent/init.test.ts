// Init containers and sidecars on real Docker, as real kubectl prints them: Init:N/M while they
// run, Init:Error and Init:CrashLoopBackOff when one fails, a sidecar that keeps running (and is
// restarted) beside the app.
import type { KubeObject } from '@skiff/api';
import { containerStatus, docker, dockerIds, getPod, PODS, until, type ContainerStatus } from '../support/cluster.ts';
import { useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-init-1', ip: '127.0.44.1' }];

const cluster = useCluster({ nodes: NODES });

const BOX = 'skiff/busybox:1';
const create = (name: string, spec: Record<string, unknown>) => cluster.client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { terminationGracePeriodSeconds: 1, ...spec } } as KubeObject, {});
const row = (name: string) => cluster.kubectl.ok(['get', 'pod', name, '--no-headers']);
const untilRow = (name: string, re: RegExp, ms = 20_000) =>
  until(`kubectl get pod ${name} matching ${re}`, async () => {
    const r = await row(name);
    return re.test(r) ? r : undefined;
  }, { timeoutMs: ms, intervalMs: 200 });
const initStatus = (p: KubeObject, name: string) => (p.status?.initContainerStatuses as ContainerStatus[]).find((c) => c.name === name)!;

test('init containers run in order; kubectl shows Init:0/2, Init:1/2, then the pod Running', async () => {
  // Each init container waits for a file the test creates, so every stage is seen for sure.
  await create('ordered', {
    initContainers: [
      { name: 'first', image: BOX, command: ['sh', '-c', 'until [ -e /tmp/go ]; do sleep 0.1; done; echo first'] },
      { name: 'second', image: BOX, command: ['sh', '-c', 'until [ -e /tmp/go ]; do sleep 0.1; done; echo second'] },
    ],
    containers: [{ name: 'app', image: BOX, command: ['sleep', '100000'] }],
  });
  const release = async (container: string) => {
    const [id] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=ordered', '--filter', `label=io.kubernetes.container.name=${container}`, '--filter', 'status=running']);
    await docker(['exec', id, 'touch', '/tmp/go']);
  };
  await untilRow('ordered', /^ordered\s+0\/1\s+Init:0\/2\s+0/);
  const early = await getPod(cluster.client, NS, 'ordered');
  expect(initStatus(early, 'second').state.waiting?.reason).toBe('PodInitializing');
  expect(containerStatus(early, 'app')!.state.waiting?.reason).toBe('PodInitializing');
  await until('first running', async () => initStatus(await getPod(cluster.client, NS, 'ordered'), 'first').state.running);
  await release('first');
  await untilRow('ordered', /^ordered\s+0\/1\s+Init:1\/2\s+0/);
  await until('second running', async () => initStatus(await getPod(cluster.client, NS, 'ordered'), 'second').state.running);
  await release('second');
  await untilRow('ordered', /^ordered\s+1\/1\s+Running\s+0/);
  const p = await getPod(cluster.client, NS, 'ordered');
  const first = initStatus(p, 'first').state.terminated as unknown as { finishedAt: string };
  const second = initStatus(p, 'second').state.terminated as unknown as { startedAt: string };
  expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));
}, 40_000);

test('a failing init container: Init:CrashLoopBackOff (restartPolicy Always), Init:Error and a Failed pod (Never)', async () => {
  await create('crashy', { initContainers: [{ name: 'setup', image: BOX, command: ['sh', '-c', 'exit 2'] }], containers: [{ name: 'app', image: BOX, command: ['sleep', '100000'] }] });
  await create('fatal', { restartPolicy: 'Never', initContainers: [{ name: 'setup', image: BOX, command: ['sh', '-c', 'exit 2'] }], containers: [{ name: 'app', image: BOX, command: ['sleep', '100000'] }] });
  const crashy = await untilRow('crashy', /^crashy\s+0\/1\s+Init:CrashLoopBackOff\s+[1-9]/);
  expect(crashy).toMatch(/Init:CrashLoopBackOff\s+\d+ \(\d+s ago\)/);
  const p = await getPod(cluster.client, NS, 'crashy');
  expect(containerStatus(p, 'app')!.state.waiting?.reason).toBe('PodInitializing');
  expect(p.status?.phase).toBe('Pending');
  await untilRow('fatal', /^fatal\s+0\/1\s+Init:Error\s+0/);
  const f = await getPod(cluster.client, NS, 'fatal');
  expect(f.status?.phase).toBe('Failed');
  expect(initStatus(f, 'setup').state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
  expect(await dockerIds(['--filter', 'label=io.kubernetes.pod.name=fatal', '--filter', 'label=io.kubernetes.container.name=app'])).toEqual([]);
}, 40_000);

test('a sidecar starts before the next init container, keeps running beside the app and is restarted when it exits', async () => {
  await create('sidecar', {
    initContainers: [
      { name: 'proxy', image: BOX, restartPolicy: 'Always', command: ['sh', '-c', 'echo proxy up; exec sleep 100000'] },
      { name: 'migrate', image: BOX, command: ['sh', '-c', 'echo migrated'] },
    ],
    containers: [{ name: 'app', image: BOX, command: ['sleep', '100000'] }],
  });
  await untilRow('sidecar', /^sidecar\s+2\/2\s+Running\s+0/);
  const p = await getPod(cluster.client, NS, 'sidecar');
  const proxy = initStatus(p, 'proxy');
  expect(proxy).toMatchObject({ started: true, ready: true });
  expect(Date.parse((initStatus(p, "migrate").state.terminated as unknown as { startedAt: string }).startedAt)).toBeGreaterThanOrEqual(Date.parse((proxy.state.running as { startedAt: string }).startedAt));
  const [id] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=sidecar', '--filter', 'label=io.kubernetes.container.name=proxy', '--filter', 'status=running']);
  await docker(['kill', id]);
  await untilRow('sidecar', /^sidecar\s+2\/2\s+Running\s+1 \(\d+s ago\)/);
  const after = await getPod(cluster.client, NS, 'sidecar');
  expect(initStatus(after, 'proxy').restartCount).toBe(1);
  expect(containerStatus(after, 'app')!.restartCount).toBe(0);
}, 40_000);
