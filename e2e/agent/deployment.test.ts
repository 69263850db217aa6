// The node agent end to end on the real Docker engine: a Deployment of busybox httpd pods on two
// nodes becomes Ready and answers on its pod IPs; logs (and -f) through kubectl; an agent
// restart adopts running containers; a container removed behind the agent's back is recreated.
import { request } from 'node:http';
import type { KubeObject } from '@skiff/api';
import { containerStatus, docker, dockerIds, getPod, isReady, listPods, NODES as NODE_RES, recordPods, sleep, until } from '../support/cluster.ts';
import { useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [
  { name: 'e2e-deploy-1', ip: '127.0.2.1' },
  { name: 'e2e-deploy-2', ip: '127.0.2.2' },
];

const cluster = useCluster({ nodes: NODES });

const webYaml = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: httpd
          image: skiff/busybox:1
          command: ["sh", "-c", "mkdir -p /www && echo \\"hello from $POD_NAME\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
          env:
            - name: POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
          ports:
            - name: http
              containerPort: 80
          readinessProbe:
            httpGet: { path: /index.html, port: http }
            periodSeconds: 1
          livenessProbe:
            tcpSocket: { port: 80 }
            periodSeconds: 1
`;

const tickerYaml = `
apiVersion: v1
kind: Pod
metadata:
  name: ticker
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: tick
      image: skiff/busybox:1
      command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done"]
`;

function httpGet(address: string): Promise<{ status: number; body: string }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path: '/', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET http://${address}/ timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Where the pod's httpd answers: its pod IP (the pod network makes it reachable from the host). */
function podAddress(pod: KubeObject): string | undefined {
  return pod.status?.podIP ? `${pod.status.podIP}:80` : undefined;
}

const webPods = () => listPods(cluster.client, NS, 'app=web');
const dockerIdsOf = (pod: KubeObject) => dockerIds(['--filter', `label=io.kubernetes.pod.uid=${pod.metadata.uid}`]);

describe('the nodes', () => {
  test('each agent registers its Node (labels, addresses, endpoint, capacity from Docker, Ready) and renews its Lease', async () => {
    const cpus = Number((await docker(['info', '-f', '{{.NCPU}}'])).trim());
    for (const [i, n] of NODES.entries()) {
      const node = await cluster.client.get(NODE_RES, undefined, n.name);
      expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' });
      expect(node.metadata.labels!['kubernetes.io/arch']).toMatch(/^(amd64|arm64)$/);
      expect(node.status?.addresses).toEqual([{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }]);
      expect(node.status?.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: cluster.agents[i]!.endpointPort } });
      expect(node.status?.capacity.cpu).toBe(String(cpus));
      expect(node.status?.allocatable.cpu).toBe(`${cpus * 1000 - 100}m`);
      expect(node.status?.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\/\d+/);
      const ready = (node.status?.conditions as { type: string; status: string }[]).find((c) => c.type === 'Ready');
      expect(ready?.status).toBe('True');
      const lease = await cluster.client.get({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', scope: 'Namespaced' }, 'kube-node-lease', n.name);
      expect(lease.spec?.holderIdentity).toBe(n.name);
    }
    const table = await cluster.kubectl.ok(['get', 'nodes', '-o', 'wide']);
    for (const n of NODES) expect(table).toMatch(new RegExp(`${n.name}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.0-skiff\\s+${n.ip.replace(/\./g, '\\.')}`));
  });
});

describe('a Deployment of httpd pods', () => {
  test('becomes Ready on both nodes and each pod answers on its pod IP', async () => {
    expect(await cluster.kubectl.ok(['apply', '-f', '-'], webYaml)).toContain('deployment.apps/web created');
    await cluster.kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const pods = await until('3 Ready web pods with pod IPs', async () => {
      const ps = await webPods();
      return ps.length === 3 && ps.every((p) => isReady(p) && podAddress(p)) && ps;
    });
    const nodes = new Set(pods.map((p) => p.spec?.nodeName));
    expect([...nodes].sort()).toEqual(NODES.map((n) => n.name)); // spread over both agents
    for (const pod of pods) {
      const address = podAddress(pod)!;
      const node = NODES.find((n) => n.name === pod.spec?.nodeName)!;
      expect(pod.status?.hostIP).toBe(node.ip);
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const c = containerStatus(pod)!;
      expect(c).toMatchObject({ name: 'httpd', ready: true, started: true, restartCount: 0, image: 'skiff/busybox:1' });
      expect(c.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
      const res = await httpGet(address);
      expect(res).toEqual({ status: 200, body: `hello from ${pod.metadata.name}\n` });
    }
    const table = await cluster.kubectl.ok(['get', 'pods', '-l', 'app=web']);
    expect(table.match(/1\/1\s+Running\s+0/g)).toHaveLength(3);
  }, 90_000);
});

describe('scaling down', () => {
  test('pods the ReplicaSet deletes are stopped, their containers removed and the objects confirmed gone', async () => {
    await cluster.kubectl.ok(['scale', 'deployment/web', '--replicas=5']);
    await until('5 Ready web pods', async () => {
      const ps = await webPods();
      return ps.length === 5 && ps.every(isReady);
    }, 30_000);
    const before = await webPods();
    await cluster.kubectl.ok(['scale', 'deployment/web', '--replicas=3']);
    const after = await until('3 web pods left', async () => {
      const ps = await webPods();
      return ps.length === 3 ? ps : undefined;
    }, 20_000);
    const removed = before.filter((p) => !after.some((a) => a.metadata.uid === p.metadata.uid));
    expect(removed).toHaveLength(2);
    for (const p of removed) expect(await dockerIdsOf(p)).toEqual([]);
    await cluster.kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=30s']);
  }, 60_000);
});

describe('kubectl logs', () => {
  test('prints a container\'s output; -f follows new lines; --tail limits', async () => {
    await cluster.kubectl.ok(['apply', '-f', '-'], tickerYaml);
    await until('ticker running', async () => containerStatus(await getPod(cluster.client, NS, 'ticker'))?.state.running !== undefined);
    const out = await until('three ticks in kubectl logs', async () => {
      const r = await cluster.kubectl.run(['logs', 'ticker']);
      return r.code === 0 && /tick 2\n/.test(r.stdout) && r.stdout;
    });
    expect(out.startsWith('tick 0\ntick 1\ntick 2\n')).toBe(true);

    const tail = await cluster.kubectl.ok(['logs', 'ticker', '--tail=1']);
    expect(tail).toMatch(/^tick \d+\n$/);
    const n = Number(/tick (\d+)/.exec(tail)![1]);

    const follow = cluster.kubectl.spawn(['logs', '-f', 'ticker', '--tail=1']);
    try {
      // --tail=1 starts at the newest line (not at tick 0), and lines written after kubectl started
      // arrive while it keeps following. Which tick is newest when kubectl connects depends on how
      // long kubectl takes to start, so the test asserts the shape, not a fixed number.
      await follow.waitFor(/^tick \d+\n(tick \d+\n){2}/, 15_000);
      expect(Number(/^tick (\d+)/.exec(follow.output())![1])).toBeGreaterThanOrEqual(n);
      expect(follow.child.exitCode).toBeNull();
    } finally {
      follow.child.kill();
    }
  }, 40_000);

  test('a missing container is an error from the agent, relayed', async () => {
    const r = await cluster.kubectl.run(['logs', 'ticker', '-c', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('container nope is not valid for pod ticker');
  });
});

describe('agent restart', () => {
  test('an agent stopped and started again adopts its running containers without restarting them', async () => {
    const before = await webPods();
    const onFirst = before.filter((p) => p.spec?.nodeName === NODES[0].name);
    expect(onFirst.length).toBeGreaterThan(0);
    const ids = new Map<string, string[]>();
    const started = new Map<string, string>();
    for (const p of onFirst) {
      ids.set(p.metadata.uid!, await dockerIdsOf(p));
      started.set(p.metadata.uid!, (await docker(['inspect', '-f', '{{.State.StartedAt}}', ...ids.get(p.metadata.uid!)!])).trim());
    }

    const watch = recordPods(cluster.client, NS);
    try {
      await cluster.stopAgent(0);
      // An outage of a set length, not a wait for something: the containers run on without their agent.
      await sleep(1500);
      const agent = await cluster.startAgent(0);
      expect(agent.nodeName).toBe(NODES[0].name);

      // Give the restarted agent time to sync, relist a few times and probe.
      await until('web pods Ready after the agent restart', async () => {
        const ps = await webPods();
        return ps.length === 3 && ps.every(isReady);
      });
      // What follows checks that nothing happens (no container restarted or replaced, no pod
      // recreated) while the agent works on: there is no event for that, so it watches a while.
      await sleep(2500);
    } finally {
      watch.stop();
    }
    // Adopted containers stay Ready throughout (no NotReady blip that would drop them from Services).
    const uids = new Set(onFirst.map((p) => p.metadata.uid));
    const blips = watch.versions.filter((v) => uids.has(v.metadata.uid) && !isReady(v)).map((v) => `${v.metadata.name}@${v.metadata.resourceVersion}`);
    expect(blips).toEqual([]);
    for (const p of onFirst) {
      const now = await getPod(cluster.client, NS, p.metadata.name!);
      expect(now.metadata.uid).toBe(p.metadata.uid);
      expect(await dockerIdsOf(p)).toEqual(ids.get(p.metadata.uid!));
      expect((await docker(['inspect', '-f', '{{.State.StartedAt}}', ...ids.get(p.metadata.uid!)!])).trim()).toBe(started.get(p.metadata.uid!));
      const c = containerStatus(now)!;
      expect(c.restartCount).toBe(0);
      expect(c.containerID).toBe(containerStatus(p)!.containerID);
      expect(c.state.running).toBeDefined();
      expect(isReady(now)).toBe(true);
    }
  }, 60_000);

  test('a container removed behind the agent\'s back is recreated and serves again', async () => {
    const [victim] = await webPods();
    const [oldId] = await dockerIdsOf(victim);
    expect(oldId).toBeDefined();
    await docker(['rm', '-f', oldId]);

    const pod = await until('the pod running a new Ready container', async () => {
      const p = await getPod(cluster.client, NS, victim.metadata.name!);
      const c = containerStatus(p);
      return c?.state.running && c.containerID !== `docker://${oldId}` && isReady(p) && podAddress(p) ? p : undefined;
    }, 30_000);
    expect(pod.metadata.uid).toBe(victim.metadata.uid);
    const newIds = await dockerIdsOf(pod);
    expect(newIds).toHaveLength(1);
    expect(newIds[0]).not.toBe(oldId);
    expect(containerStatus(pod)!.containerID).toBe(`docker://${newIds[0]}`);
    // It counts as a restart (as with the kubelet), not as a fresh start.
    expect(containerStatus(pod)!.restartCount).toBe(containerStatus(victim)!.restartCount + 1);
    expect(await httpGet(podAddress(pod)!)).toEqual({ status: 200, body: `hello from ${pod.metadata.name}\n` });
    // The pod's holder kept its namespace, hence its address.
    expect(podAddress(pod)).toBe(podAddress(victim));
  }, 60_000);
});
