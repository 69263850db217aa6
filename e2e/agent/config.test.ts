// How the node agent turns a pod spec into Docker containers (command, args, env with the downward
// API, workingDir, CPU/memory settings, hostPort), runs init containers and run-to-completion pods,
// and removes the containers of a pod deleted while it was down.
import { request } from 'node:http';
import type { KubeObject } from '@skiff/api';
import { HOST_PORTS_ANNOTATION } from '@skiff/agent';
import { containerStatus, docker, dockerIds, getPod, podManifest, PODS, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-config-1', ip: '127.0.7.1' }];
const PORT_RANGE = { min: 32100, max: 32102 };
let cluster: TestCluster;

beforeAll(async () => {
  // A small host port range, so that ports not given back would run out within the file.
  // Without the pod network: this file covers the agent's fallback that publishes every container
  // port on the node's IP (e2e/network/ covers pods with addresses of their own).
  cluster = await startCluster({ nodes: NODES, agent: { hostPortRange: PORT_RANGE, podNetwork: false } });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

const create = (pod: KubeObject) => cluster.client.create(PODS, pod, {});
const pod = (name: string) => getPod(cluster.client, NS, name);
const idsOf = (podName: string) => dockerIds(['--filter', `label=io.kubernetes.pod.name=${podName}`, '--filter', `label=dev.skiff.node=${NODES[0].name}`]);

test('command, args, env (values and the downward API), workingDir and resources reach the container', async () => {
  await create(
    podManifest('config', NS, {
      command: ['sh', '-c'],
      args: ['echo "$GREETING from $POD_NAME in $POD_NS on $NODE ($HOST_IP) at $(pwd)"'],
      workingDir: '/tmp',
      env: [
        { name: 'GREETING', value: 'hello' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      ],
      resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
    }, { restartPolicy: 'Never' }),
  );
  const p = await until('config Succeeded', async () => {
    const p = await pod('config');
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
  expect(containerStatus(p)!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  expect(await cluster.kubectl.ok(['logs', 'config'])).toBe(`hello from config in default on ${NODES[0].name} (${NODES[0].ip}) at /tmp\n`);
  const [id] = await idsOf('config');
  const hc = JSON.parse(await docker(['inspect', '-f', '{{json .HostConfig}}', id])) as { Memory: number; NanoCpus: number; CpuShares: number };
  expect(hc).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, CpuShares: 256 });
  expect(await cluster.kubectl.ok(['get', 'pod', 'config', '--no-headers'])).toMatch(/config\s+0\/1\s+Completed\s+0/);
}, 30_000);

test('OnFailure restarts a failing container; one that exits 0 completes and its pod Succeeds', async () => {
  // A failing container is restarted; one that exits 0 is not, and its pod completes.
  await create(podManifest('retry', NS, { command: ['sh', '-c', 'echo run; exit 1'] }, { restartPolicy: 'OnFailure' }));
  const p = await until('retry restarted twice', async () => {
    const p = await pod('retry');
    return (containerStatus(p)?.restartCount ?? 0) >= 2 ? p : undefined;
  }, 20_000);
  expect(p.status?.phase).toBe('Running'); // OnFailure keeps a failing pod Running (restarting)
  await create(podManifest('once', NS, { command: ['true'] }, { restartPolicy: 'OnFailure' }));
  const once = await until('once Succeeded', async () => {
    const p = await pod('once');
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
  expect(containerStatus(once)!.restartCount).toBe(0);
}, 30_000);

test('init containers run one after the other before the app container', async () => {
  await create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'init', namespace: NS },
    spec: {
      terminationGracePeriodSeconds: 0,
      initContainers: [
        { name: 'first', image: 'skiff/busybox:1', command: ['sh', '-c', 'sleep 0.5; echo first done'] },
        { name: 'second', image: 'skiff/busybox:1', command: ['sh', '-c', 'echo second done'] },
      ],
      containers: [{ name: 'app', image: 'skiff/busybox:1', command: ['sh', '-c', 'echo app up; exec sleep 100000'] }],
    },
  } as KubeObject);
  const p = await until('init Running with its app container', async () => {
    const p = await pod('init');
    return p.status?.phase === 'Running' && containerStatus(p, 'app')?.state.running ? p : undefined;
  });
  const inits = p.status!.initContainerStatuses as { name: string; state: { terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string } } }[];
  expect(inits.map((s) => [s.name, s.state.terminated?.reason])).toEqual([['first', 'Completed'], ['second', 'Completed']]);
  expect(Date.parse(inits[1].state.terminated!.startedAt)).toBeGreaterThanOrEqual(Date.parse(inits[0].state.terminated!.finishedAt));
  expect(await cluster.kubectl.ok(['logs', 'init', '-c', 'first'])).toBe('first done\n');
  expect(await cluster.kubectl.ok(['logs', 'init', '-c', 'app'])).toBe('app up\n');
  expect((p.status!.conditions as { type: string; status: string }[]).find((c) => c.type === 'Initialized')?.status).toBe('True');
}, 30_000);

test('an explicit hostPort is published on the node IP', async () => {
  const hostPort = 31789;
  await create(podManifest('fixed', NS, { command: ['sh', '-c', 'mkdir -p /www && echo fixed > /www/index.html && exec httpd -f -p 8080 -h /www'], ports: [{ containerPort: 8080, hostPort }] }, { terminationGracePeriodSeconds: 0 }));
  const p = await until('fixed running with its host port', async () => {
    const p = await pod('fixed');
    return containerStatus(p)?.state.running && p.metadata.annotations?.[HOST_PORTS_ANNOTATION] ? p : undefined;
  });
  expect(JSON.parse(p.metadata.annotations![HOST_PORTS_ANNOTATION])).toEqual({ main: { '8080/TCP': `${NODES[0].ip}:${hostPort}` } });
  const body = await until('an answer on the host port', () =>
    new Promise<string | undefined>((resolve) => {
      const req = request({ host: NODES[0].ip, port: hostPort, path: '/', agent: false, timeout: 2000 }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve(b));
      });
      req.on('error', () => resolve(undefined));
      req.on('timeout', () => req.destroy());
      req.end();
    }),
  );
  expect(body).toBe('fixed\n');
}, 30_000);

test('kubectl logs -f ends when the container exits; --timestamps prefixes each line', async () => {
  await create(podManifest('short', NS, { command: ['sh', '-c', 'echo one; sleep 2; echo two'] }, { restartPolicy: 'Never' }));
  await until('short running', async () => containerStatus(await pod('short'))?.state.running !== undefined);
  const follow = cluster.kubectl.spawn(['logs', '-f', 'short']);
  const code = await new Promise<number | null>((resolve) => follow.child.on('exit', resolve));
  expect(code).toBe(0);
  expect(follow.output()).toBe('one\ntwo\n');
  const stamped = await cluster.kubectl.ok(['logs', 'short', '--timestamps']);
  expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z one\n\S+Z two\n$/);
}, 30_000);

test('containers of a pod force-deleted while the agent was down are removed when it returns', async () => {
  await create(podManifest('orphan', NS, { command: ['sleep', '100000'] }, { terminationGracePeriodSeconds: 0 }));
  await until('orphan running', async () => containerStatus(await pod('orphan'))?.state.running !== undefined);
  expect(await idsOf('orphan')).toHaveLength(1);
  await cluster.stopAgent(0);
  try {
    await cluster.kubectl.ok(['delete', 'pod', 'orphan', '--grace-period=0', '--force']);
    expect(await idsOf('orphan')).toHaveLength(1); // nobody removed it yet
  } finally {
    await cluster.startAgent(0);
  }
  await until('the orphan container removed', async () => (await idsOf('orphan')).length === 0, 20_000);
}, 40_000);

test('host ports of removed containers are given back: more pods over time than ports in the range', async () => {
  const size = PORT_RANGE.max - PORT_RANGE.min + 1;
  const used = new Set<string>();
  // Every other pod crash-loops, so its two attempts share one port when it is deleted; with the
  // range's 3 ports, 7 pods need every port back, whichever way each pod ended.
  for (let i = 0; i < 2 * size + 1; i++) {
    const name = `porty-${i}`;
    if (i % 2 === 0) {
      await create(podManifest(name, NS, { command: ['sleep', '100000'], ports: [{ containerPort: 80 }] }, { terminationGracePeriodSeconds: 0 }));
      const p = await until(`${name} running with a published port`, async () => {
        const p = await pod(name);
        return containerStatus(p)?.state.running && p.metadata.annotations?.[HOST_PORTS_ANNOTATION] ? p : undefined;
      }, 15_000);
      used.add(JSON.parse(p.metadata.annotations![HOST_PORTS_ANNOTATION]).main['80/TCP']);
    } else {
      // Crash-looping: two attempts share one port when the pod is deleted.
      await create(podManifest(name, NS, { command: ['sh', '-c', 'sleep 0.2; exit 1'], ports: [{ containerPort: 80 }] }, { terminationGracePeriodSeconds: 0 }));
      await until(`${name} restarted`, async () => (containerStatus(await pod(name))?.restartCount ?? 0) >= 1, 15_000);
      expect((await idsOf(name)).length).toBeGreaterThanOrEqual(2);
    }
    await cluster.kubectl.ok(['delete', 'pod', name, '--wait=true']);
  }
  expect([...used].every((a) => /^127\.0\.7\.1:321\d\d$/.test(a))).toBe(true);
}, 60_000);
