// Hollow nodes: five agents on the simulated runtime in this process, as `skiff agent --runtime sim
// --count 5` runs them, and a Deployment of 50 replicas that becomes Running and Ready on them.
import { SimRuntime } from '@skiff/agent';
import { containerStatus, isReady, listPods, NODES, startCluster, until, type TestCluster } from '../support/cluster.ts';

const HOLLOW = Array.from({ length: 5 }, (_, i) => ({ name: `e2e-sim-${i + 1}`, ip: `127.0.5.${i + 1}` }));
let cluster: TestCluster;
const HOLLOW_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: hollow }
spec:
  replicas: 50
  selector: { matchLabels: { app: hollow } }
  template:
    metadata: { labels: { app: hollow } }
    spec:
      containers:
        - { name: main, image: skiff/busybox:1, command: [sleep, '100000'] }
`;

beforeAll(async () => {
  cluster = await startCluster({ nodes: HOLLOW, runtime: () => new SimRuntime({ images: ['skiff/busybox:1'], startLatencyMs: 20 }), serveEndpoint: false });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

test('5 hollow nodes register Ready and run a Deployment of 50 replicas', async () => {
  const nodes = await until('5 Ready nodes', async () => {
    const list = (await cluster.client.list(NODES)).items;
    const ready = list.filter((n) => (n.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready.length === 5 && list;
  });
  expect(nodes.map((n) => n.metadata.name).sort()).toEqual(HOLLOW.map((n) => n.name));

  await cluster.kubectl.ok(['apply', '-f', '-'], HOLLOW_YAML);
  const pods = await until('50 Running and Ready pods', async () => {
    const ps = await listPods(cluster.client, 'default', 'app=hollow');
    return ps.length === 50 && ps.every((p) => p.status?.phase === 'Running' && isReady(p)) && ps;
  }, 60_000, 250);
  for (const p of pods) expect(containerStatus(p)).toMatchObject({ ready: true, restartCount: 0 });
  expect(pods.every((p) => (containerStatus(p)!.containerID ?? '').startsWith('sim://'))).toBe(true);
  // Spread over every hollow node.
  expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(5);
  await cluster.kubectl.ok(['rollout', 'status', 'deployment/hollow', '--timeout=30s']);
  expect(await cluster.kubectl.ok(['get', 'deployment', 'hollow', '--no-headers'])).toMatch(/hollow\s+50\/50\s+50\s+50/);
}, 90_000);
