// Hollow nodes: five agents on the simulated runtime in this process, as `skiff agent --runtime sim
// --count 5` runs them, and a Deployment of 50 replicas that becomes Running and Ready on them.
import { SimRuntime, startAgent, type Agent } from '@skiff/agent';
import type { KubeObject } from '@skiff/api';
import { containerStatus, isReady, listPods, NODES, until } from '../support/cluster.ts';
import { useCluster } from '../support/use-cluster.ts';

const HOLLOW = Array.from({ length: 5 }, (_, i) => ({ name: `e2e-sim-${i + 1}`, ip: `127.0.5.${i + 1}` }));
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

const cluster = useCluster({ nodes: HOLLOW, runtime: () => new SimRuntime({ images: ['skiff/busybox:1'], startLatencyMs: 20 }), serveEndpoint: false });

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
  }, { timeoutMs: 60_000, intervalMs: 250 });
  for (const p of pods) expect(containerStatus(p)).toMatchObject({ ready: true, restartCount: 0 });
  expect(pods.every((p) => (containerStatus(p)!.containerID ?? '').startsWith('sim://'))).toBe(true);
  // Spread over every hollow node.
  expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(5);
  await cluster.kubectl.ok(['rollout', 'status', 'deployment/hollow', '--timeout=30s']);
  expect(await cluster.kubectl.ok(['get', 'deployment', 'hollow', '--no-headers'])).toMatch(/hollow\s+50\/50\s+50\s+50/);
}, 90_000);

/** A simulated engine that can stop answering, as a Docker daemon that dies or is not up yet. */
class SwitchableRuntime extends SimRuntime {
  alive = false;
  override async ping(): Promise<boolean> {
    return this.alive;
  }
  override async info() {
    if (!this.alive) throw new Error('connect ENOENT /var/run/docker.sock');
    return super.info();
  }
  override async list(labels: Record<string, string>) {
    if (!this.alive) throw new Error('connect ENOENT /var/run/docker.sock');
    return super.list(labels);
  }
}

const readyOf = (n: KubeObject) => (n.status?.conditions as { type: string; status: string; message?: string }[] | undefined)?.find((c) => c.type === 'Ready');

test('a node is Ready only while its container runtime answers (down at start, up, down again)', async () => {
  const runtime = new SwitchableRuntime();
  const name = 'e2e-sim-switch';
  let agent: Agent | undefined;
  try {
    // Its own node identity when the cluster runs TLS (SKIFF_E2E_TLS=1), as the cluster's agents have.
    agent = await startAgent({ server: cluster.url, ...(await cluster.nodeCredentials(name)), nodeName: name, nodeIP: '127.0.5.9', runtime, serveEndpoint: false, renewIntervalMs: 200, log: () => undefined });
    const down = await until('the node registered NotReady', async () => {
      const n = await cluster.client.get(NODES, undefined, name).catch(() => undefined);
      return n && readyOf(n)?.status === 'False' ? n : undefined;
    }, 10_000);
    expect(readyOf(down)!.message).toContain('not answering');
    runtime.alive = true;
    await until('the node Ready once the runtime answers', async () => readyOf(await cluster.client.get(NODES, undefined, name))?.status === 'True', 10_000);
    runtime.alive = false;
    await until('the node NotReady again once the runtime stops answering', async () => readyOf(await cluster.client.get(NODES, undefined, name))?.status === 'False', 10_000);
  } finally {
    await agent?.stop();
  }
}, 40_000);
