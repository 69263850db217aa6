// Services in the kernel, on one Docker engine with two nodes (the first runs the kernel proxy
// for the host they share): a ClusterIP answers from the host and from pods on either node,
// spread over every ready endpoint; a NodePort answers on each node's address; a Service without
// ready endpoints refuses at once; ClientIP affinity sticks. Cluster DNS: a pod resolves Services
// by name (ClusterIP, or the ready pods of a headless one), per its resolv.conf.
// (busybox-static's `wget -T` crashes, hence `timeout 5 wget`.)
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { getPod, isReady, listPods, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [
  { name: 'e2e-svc-1', ip: '127.0.10.1' },
  { name: 'e2e-svc-2', ip: '127.0.10.2' },
];
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES, agentOptions: (i) => ({ serviceProxy: i === 0 }) });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

const SERVICES = { group: '', version: 'v1', plural: 'services', scope: 'Namespaced' } as const;

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: echo }
spec:
  replicas: 3
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: httpd
          image: skiff/busybox:1
          command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /index.html, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: echo }
spec:
  type: NodePort
  selector: { app: echo }
  ports: [{ port: 80, targetPort: http, nodePort: 30710 }]
---
apiVersion: v1
kind: Service
metadata: { name: sticky }
spec:
  selector: { app: echo }
  sessionAffinity: ClientIP
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec:
  selector: { app: nobody }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: echo-direct }
spec:
  clusterIP: None
  selector: { app: echo }
  ports: [{ name: http, port: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  nodeName: ${NODES[1].name}
  terminationGracePeriodSeconds: 0
  containers:
    - { name: main, image: skiff/busybox:1, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Pod
metadata: { name: host-dns }
spec:
  nodeName: ${NODES[0].name}
  dnsPolicy: Default
  terminationGracePeriodSeconds: 0
  containers:
    - { name: main, image: skiff/busybox:1, command: ["sleep", "3600"] }
`;

function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/index.html', agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${host}:${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const clusterIP = async (name: string) => (await cluster.client.get(SERVICES, NS, name)).spec.clusterIP as string;
let names: string[];

beforeAll(async () => {
  await cluster.kubectl.ok(['apply', '-f', '-'], manifests);
  const pods = await until('3 ready echo pods and a client', async () => {
    const ps = await listPods(cluster.client, NS, 'app=echo');
    const client = await getPod(cluster.client, NS, 'client');
    return ps.length === 3 && ps.every(isReady) && isReady(client) && ps;
  }, 60_000);
  names = pods.map((p) => p.metadata.name!).sort();
  // The kernel proxy follows the Endpoints: wait until the ClusterIP answers from the host.
  const ip = await clusterIP('echo');
  await until('the ClusterIP answers', async () => names.includes(await get(ip, 80)), 20_000);
}, 90_000);

test('ClusterIPs come from 10.96.0.0/16', async () => {
  expect(await clusterIP('echo')).toMatch(/^10\.96\.\d+\.\d+$/);
});

test('the ClusterIP answers from the host, spread over every ready endpoint', async () => {
  const ip = await clusterIP('echo');
  const seen = new Set<string>();
  for (let i = 0; i < 60 && seen.size < 3; i++) seen.add(await get(ip, 80));
  expect([...seen].sort()).toEqual(names);
});

test('a pod on the other node reaches the ClusterIP', async () => {
  const ip = await clusterIP('echo');
  const r = await cluster.kubectl.run(['exec', 'client', '--', 'timeout', '5', 'wget', '-qO-', `http://${ip}/index.html`]);
  expect(r.code).toBe(0);
  expect(names).toContain(r.stdout.trim());
});

test('a pod behind the Service reaches it through its ClusterIP, itself included (hairpin traffic is masqueraded)', async () => {
  const ip = await clusterIP('echo');
  const [self] = names;
  const r = await cluster.kubectl.run(['exec', self, '--', 'sh', '-c', `for i in $(seq 30); do timeout 5 wget -qO- http://${ip}/index.html || echo FAIL; done`]);
  const answers = r.stdout.trim().split('\n');
  expect(answers).toHaveLength(30);
  expect(answers.filter((a) => !names.includes(a))).toEqual([]);
  // One in three goes to the pod itself: without masquerade its reply would bypass the DNAT and the connection would hang.
  expect(answers).toContain(self);
}, 60_000);

test('the NodePort answers on each node\'s address', async () => {
  for (const n of NODES) expect(names).toContain(await get(n.ip, 30710));
});

test('a Service without ready endpoints refuses at once', async () => {
  const ip = await clusterIP('nobody');
  const began = Date.now();
  await expect(get(ip, 80)).rejects.toThrow(/ECONNREFUSED/);
  expect(Date.now() - began).toBeLessThan(1000);
});

test('ClientIP affinity sends one client to one endpoint', async () => {
  const ip = await clusterIP('sticky');
  await until('sticky answers', async () => names.includes(await get(ip, 80)), 20_000);
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) seen.add(await get(ip, 80));
  expect(seen.size).toBe(1);
});

test('an endpoint that stops being ready leaves the rotation', async () => {
  const [victim] = names;
  await cluster.kubectl.ok(['exec', victim, '--', 'rm', '/www/index.html']);
  const ip = await clusterIP('echo');
  await until(`${victim} out of the Endpoints`, async () => {
    const ep = await cluster.client.get({ group: '', version: 'v1', plural: 'endpoints', scope: 'Namespaced' }, NS, 'echo');
    return !JSON.stringify(((ep.subsets ?? []) as { addresses?: unknown }[]).map((s) => s.addresses)).includes(victim);
  }, 20_000);
  // The rules follow within a moment; then 30 requests are all answered by the two others (the
  // victim would answer 404).
  const others = names.filter((n) => n !== victim);
  await until('rules without the victim', async () => {
    for (let i = 0; i < 10; i++) if (!others.includes(await get(ip, 80))) return false;
    return true;
  }, 10_000);
  for (let i = 0; i < 30; i++) expect(others).toContain(await get(ip, 80));
}, 60_000);

describe('cluster DNS', () => {
  const nslookup = (args: string[]) => cluster.kubectl.run(['exec', 'client', '--', 'nslookup', ...args]);

  test('the pod\'s resolv.conf points at its node\'s DNS with the cluster search path and ndots:5', async () => {
    const conf = await cluster.kubectl.ok(['exec', 'client', '--', 'cat', '/etc/resolv.conf']);
    expect(conf).toMatch(/^nameserver 10\.\d+\.\d+\.1$/m);
    expect(conf).toMatch(/^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    expect(conf).toMatch(/^options ndots:5$/m);
  });

  test('dnsPolicy Default: a pod on the pod network gets the host\'s resolv.conf, not Docker\'s relay', async () => {
    await until('host-dns running', async () => isReady(await getPod(cluster.client, NS, 'host-dns')), 30_000);
    const conf = await cluster.kubectl.ok(['exec', 'host-dns', '--', 'cat', '/etc/resolv.conf']);
    const host = readFileSync('/etc/resolv.conf', 'utf8').split('\n').filter((l) => /^nameserver\s/.test(l)).map((l) => l.trim().replace(/\s+/g, ' '));
    expect(host.length).toBeGreaterThan(0);
    expect(conf.split('\n').filter((l) => l.startsWith('nameserver '))).toEqual(host.slice(0, 3));
    expect(conf).not.toContain('127.0.0.11');
  }, 45_000);

  test('a Service name resolves to its ClusterIP, by full name and by short name', async () => {
    const ip = await clusterIP('echo');
    const full = await nslookup(['echo.default.svc.cluster.local']);
    expect(full.code).toBe(0);
    expect(full.stdout).toContain(`Address: ${ip}`);
    const short = await nslookup(['-type=a', 'echo']);
    expect(short.stdout).toContain(`Address: ${ip}`);
  });

  test('a headless Service resolves to its ready pods; SRV names its port', async () => {
    const pods = await listPods(cluster.client, NS, 'app=echo');
    const r = await nslookup(['echo-direct.default.svc.cluster.local']);
    for (const p of pods.filter(isReady)) expect(r.stdout).toContain(`Address: ${p.status!.podIP}`);
    const srv = await nslookup(['-type=srv', '_http._tcp.echo-direct.default.svc.cluster.local']);
    expect(srv.stdout).toMatch(/8080/);
  });

  test('an unknown Service is NXDOMAIN', async () => {
    const r = await nslookup(['nope.default.svc.cluster.local']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/NXDOMAIN/);
  });
});
