// Three hosts on one machine (`skiff up --nodes 3 --netns`: a network namespace with its own
// Docker engine per node, joined by a bridge on 10.250.0.0/24), driven by the real skiff CLI and
// kubectl: a pod on host 1 resolves db.default.svc.cluster.local and gets an answer from the only
// db pod, on host 3; pods reach pods across hosts; a NodePort on host 2 reaches a pod on host 1;
// a LoadBalancer Service answers on every host; when host 3's agent and engine stop, its endpoint
// leaves once the node is NotReady and the Service's traffic goes to the pod left, on host 2;
// a rolling update of a Deployment spread over the hosts, under a steady client load through its
// ClusterIP, fails no request; `skiff down` leaves nothing behind.
// Traffic goes only to addresses inside the namespaces this test made. Every wait is bounded.
// (busybox-static's `wget -T` crashes, hence `timeout 5 wget`.)
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kubectl } from '../support/kubectl.ts';
import { until } from '../support/cluster.ts';

const run = promisify(execFile);
const SKIFF = fileURLToPath(new URL('../../bin/skiff', import.meta.url));
const PORT = 16443;
const HOSTS = ['10.250.0.2', '10.250.0.3', '10.250.0.4'];
let dir: string;
let kubectl: Kubectl;

const skiff = (args: string[]) => run(SKIFF, args, { env: { ...process.env, SKIFF_HOME: dir }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-multihost-'));
  await skiff(['up', '--nodes', '3', '--netns', '--port', String(PORT), '--data-dir', dir, '--backoff-base', '500']);
  kubectl = new Kubectl(`https://10.250.0.1:${PORT}`, join(dir, 'kubeconfig'));
}, 240_000);

afterAll(async () => {
  // Also when a test failed: nothing may be left behind.
  if (dir && existsSync(join(dir, 'cluster.json'))) await skiff(['down', '--data-dir', dir]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

const manifests = `
apiVersion: v1
kind: Pod
metadata: { name: db, labels: { app: db, only: host3 } }
spec:
  nodeName: node-3
  terminationGracePeriodSeconds: 1
  containers:
    - name: db
      image: skiff/busybox:1
      command: ["sh", "-c", "mkdir -p /www && echo db on $(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ports: [{ name: http, containerPort: 8080 }]
      readinessProbe: { httpGet: { path: /index.html, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: db }
spec:
  selector: { app: db, only: host3 }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Pod
metadata: { name: db-2, labels: { app: db } }
spec:
  nodeName: node-2
  terminationGracePeriodSeconds: 1
  containers:
    - name: db
      image: skiff/busybox:1
      command: ["sh", "-c", "mkdir -p /www && echo db on $(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ports: [{ name: http, containerPort: 8080 }]
      readinessProbe: { httpGet: { path: /index.html, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: db-any }
spec:
  selector: { app: db }
  ports: [{ port: 80, targetPort: http }]
---
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web } }
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 1
  containers:
    - name: web
      image: skiff/busybox:1
      command: ["sh", "-c", "mkdir -p /www && echo web on $(hostname) > /www/index.html && exec httpd -f -p 8080 -h /www"]
      readinessProbe: { httpGet: { path: /index.html, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080, nodePort: 30980 }]
---
apiVersion: v1
kind: Service
metadata: { name: web-lb }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 8088, targetPort: 8080 }]
`;

const getIn = (netns: string, url: string) => run('nsenter', [`--net=/var/run/netns/${netns}`, 'wget', '-qO-', url], { timeout: 5000 }).then((r) => r.stdout.trim());
const exec = (pod: string, cmd: string[]) => kubectl.run(['exec', pod, '--', ...cmd]);

describe('three hosts', () => {
  beforeAll(async () => {
    await kubectl.ok(['apply', '-f', '-'], manifests);
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/db', 'pod/db-2', 'pod/web', '--timeout=90s']);
  }, 120_000);

  test('every node is Ready with its own pod CIDR and its own engine', async () => {
    const out = await kubectl.ok(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.addresses[0].address} {.spec.podCIDR}{"\\n"}{end}']);
    const rows = out.trim().split('\n').map((l) => l.split(' '));
    expect(rows.map((r) => r[1]).sort()).toEqual(HOSTS);
    expect(new Set(rows.map((r) => r[2])).size).toBe(3);
  });

  test('a pod on host 1 resolves db.default.svc.cluster.local and gets its answer from the pod on host 3', async () => {
    const ns = await exec('web', ['nslookup', 'db.default.svc.cluster.local']);
    const ip = await kubectl.ok(['get', 'svc', 'db', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(ns.stdout).toContain(`Address: ${ip}`);
    const r = await until('db answers through its name', async () => {
      const x = await exec('web', ['timeout', '5', 'wget', '-qO-', 'http://db/index.html']);
      return x.code === 0 && x.stdout;
    }, 20_000);
    expect(r).toBe('db on db\n');
  });

  test('pods reach pods on other hosts at their IPs', async () => {
    const dbIP = await kubectl.ok(['get', 'pod', 'db', '-o', 'jsonpath={.status.podIP}']);
    const r = await exec('web', ['timeout', '5', 'wget', '-qO-', `http://${dbIP}:8080/index.html`]);
    expect(r).toMatchObject({ code: 0, stdout: 'db on db\n' });
  });

  test('the NodePort on host 2 reaches the pod on host 1, and the LoadBalancer answers on every host', async () => {
    await until('the NodePort answers on host 2', async () => (await getIn('skiff-h2', `http://${HOSTS[1]}:30980/index.html`).catch(() => '')) === 'web on web', 20_000);
    const ingress = await until('LoadBalancer ingress = the node IPs', async () => {
      const out = await kubectl.ok(['get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']);
      return out.split(' ').sort().join(' ') === HOSTS.join(' ') && out;
    }, 20_000);
    expect(ingress.split(' ').sort()).toEqual(HOSTS);
    for (const [i, ip] of HOSTS.entries()) {
      expect(await until(`the LoadBalancer on ${ip}`, async () => (await getIn(`skiff-h${i + 1}`, `http://${ip}:8088/index.html`).catch(() => '')) || false, 20_000)).toBe('web on web');
    }
  }, 90_000);
});

// The backend is a typical app: it serves until SIGTERM and then exits at once (its shell, PID 1,
// exits on the signal and the kernel kills the httpd with it): no draining of its own. What makes
// the rollout lossless is the order skiff keeps: readiness before a new pod gets traffic, and an
// old pod's stop signal held until every node's proxy has taken it out of the rules (ADR 0002).
const backend = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: backend }
spec:
  replicas: 3
  selector: { matchLabels: { app: backend } }
  template:
    metadata: { labels: { app: backend } }
    spec:
      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: backend } } }
      containers:
        - name: app
          image: skiff/busybox:1
          command: ["sh", "-c", "mkdir -p /www; hostname > /www/index.html; trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /index.html, port: 8080 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: backend }
spec:
  selector: { app: backend }
  ports: [{ port: 80, targetPort: 8080 }]
`;

// One request after the other through the ClusterIP, each a new connection, each printed as
// `ok <pod>` or `fail at <time> exit <code>: <error>` (exit 143 with no error: timed out, after
// 5 s); no request is retried. Bounded: 20,000 requests or 240 s, or
// until /tmp/stop exists.
const client = (ip: string) => `
apiVersion: v1
kind: Pod
metadata: { name: load }
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 1
  containers:
    - name: load
      image: skiff/busybox:1
      command:
        - sh
        - -c
        - |
          end=$(( $(date +%s) + 240 )); n=0
          while [ ! -e /tmp/stop ] && [ $(date +%s) -lt $end ] && [ $n -lt 20000 ]; do
            if out=$(timeout 5 wget -qO- http://${ip}/index.html 2>&1); then echo "ok $out"; else rc=$?; echo "fail at $(date +%T) exit $rc: $(echo $out | tr '\\n' ' ')"; fi
            n=$((n+1))
          done
          echo "done $n"
          exec sleep 3600
`;

test('a rolling update of a Deployment spread over the hosts fails no request of a steady client load through its ClusterIP', async () => {
  await kubectl.ok(['apply', '-f', '-'], backend);
  await kubectl.ok(['rollout', 'status', 'deployment/backend', '--timeout=120s']);
  const podsOnNodes = async () => {
    const out = await kubectl.ok(['get', 'pods', '-l', 'app=backend', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName}{"\\n"}{end}']);
    return out.trim().split('\n').filter(Boolean).map((l) => l.split(' '));
  };
  const before = await podsOnNodes();
  expect(before).toHaveLength(3);
  expect(new Set(before.map((p) => p[1])).size).toBeGreaterThan(1); // across hosts
  const oldPods = new Set(before.map((p) => p[0]));
  const ip = await kubectl.ok(['get', 'svc', 'backend', '-o', 'jsonpath={.spec.clusterIP}']);
  await kubectl.ok(['apply', '-f', '-'], client(ip));
  const logs = async () => (await kubectl.ok(['logs', 'load'])).split('\n').filter(Boolean);
  const oks = (lines: string[]) => lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
  // The load is on, and every old pod answers it.
  await until('the client gets answers from every old pod', async () => {
    const answered = oks(await logs());
    return answered.length >= 30 && [...oldPods].every((p) => answered.includes(p));
  }, { timeoutMs: 60_000, intervalMs: 500 });

  await kubectl.ok(['rollout', 'restart', 'deployment/backend']);
  await kubectl.ok(['rollout', 'status', 'deployment/backend', '--timeout=180s']);
  // The old pods are gone from the API (their containers stopped), not just scaled down.
  const after = await until('the old pods are gone and three new ones run', async () => {
    const now = await podsOnNodes();
    return now.length === 3 && now.every((p) => !oldPods.has(p[0])) && now;
  }, { timeoutMs: 120_000, intervalMs: 1000 });
  const newPods = new Set(after.map((p) => p[0]));
  await until('the new pods answer the client', async () => oks(await logs()).filter((h) => newPods.has(h)).length >= 30, { timeoutMs: 60_000, intervalMs: 500 });
  await kubectl.ok(['exec', 'load', '--', 'touch', '/tmp/stop']);
  const lines = await until('the client has stopped', async () => {
    const l = await logs();
    return l.some((x) => x.startsWith('done ')) && l;
  }, { timeoutMs: 30_000, intervalMs: 500 });

  const answers = oks(lines);
  const failures = lines.filter((l) => l.startsWith('fail'));
  expect(failures).toEqual([]);
  expect(lines.filter((l) => !l.startsWith('ok ') && !l.startsWith('done '))).toEqual([]);
  expect(lines.find((l) => l.startsWith('done '))).toBe(`done ${answers.length}`);
  // Every answer came from a backend pod, old ones and new ones.
  expect(answers.filter((h) => !oldPods.has(h) && !newPods.has(h))).toEqual([]);
  expect(answers.some((h) => oldPods.has(h)) && answers.some((h) => newPods.has(h))).toBe(true);
  // Each old pod was stopped only once all three nodes' proxies had programmed its removal (not
  // after the wait's bound): the agents say so (ADR 0002, "Stopping a pod behind a Service").
  const agentLogs = [1, 2, 3].map((i) => readFileSync(join(dir, `agent-${i}.log`), 'utf8')).join('\n');
  for (const pod of oldPods) expect(agentLogs).toMatch(new RegExp(`pod default/${pod}: out of the rules of 3 nodes after \\d+ ms; stopping its containers`));
  process.stderr.write(`rolling update under load: ${answers.length} requests, 0 failed, ${before.map((p) => p.join('@')).join(' ')} -> ${after.map((p) => p.join('@')).join(' ')}\n`);
  await kubectl.ok(['delete', 'pod', 'load', '--wait=false']);
}, 420_000);

test('host 3 stops (agent and engine): its endpoint leaves once the node is NotReady, and traffic goes to host 2', async () => {
  const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { processes: { role: string; pid: number }[] };
  const agent3 = state.processes.find((p) => p.role === 'agent-3')!;
  process.kill(agent3.pid, 'SIGKILL'); // as a host that dies: no goodbye
  const engine3 = Number(readFileSync(join(dir, 'hosts', 'h3', 'docker.pid'), 'utf8').trim());
  process.kill(engine3, 'SIGKILL');
  const db3 = await kubectl.ok(['get', 'pod', 'db', '-o', 'jsonpath={.status.podIP}']);
  // The node lifecycle controller marks node-3 NotReady after its grace period (40 s) and its pods
  // not ready; the Endpoints controller drops them; every kernel proxy follows.
  await until('node-3 NotReady and db out of db-any\'s endpoints', async () => {
    const ready = await kubectl.ok(['get', 'node', 'node-3', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    const eps = await kubectl.ok(['get', 'endpoints', 'db-any', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    return ready !== 'True' && !eps.split(' ').includes(db3) && eps.trim() !== '';
  }, { timeoutMs: 90_000, intervalMs: 1000 });
  const ip = await kubectl.ok(['get', 'svc', 'db-any', '-o', 'jsonpath={.spec.clusterIP}']);
  await until('the rules of host 1 follow', async () => {
    const x = await exec('web', ['timeout', '5', 'wget', '-qO-', `http://${ip}/index.html`]);
    return x.stdout === 'db on db-2\n';
  }, 10_000);
  for (let i = 0; i < 10; i++) {
    expect(await exec('web', ['timeout', '5', 'wget', '-qO-', `http://${ip}/index.html`])).toMatchObject({ code: 0, stdout: 'db on db-2\n' });
  }
}, 150_000);

test('skiff down leaves no namespace, engine, bridge or rule behind', async () => {
  const { stdout } = await skiff(['down', '--data-dir', dir]);
  expect(stdout).toContain('skiff is down');
  const netns = (await run('ip', ['netns', 'list'])).stdout;
  expect(netns).not.toMatch(/skiff-h\d/);
  expect(existsSync('/sys/class/net/skiff-br')).toBe(false);
  const links = (await run('ip', ['-o', 'link'])).stdout;
  expect(links).not.toMatch(/skiff-h\d/);
  expect((await run('iptables-save')).stdout).not.toContain('skiff netns hosts');
  // No process (dockerd, containerd shims of host 3's killed engine) runs from this run's
  // directory (read from /proc, not pgrep, which would find its own shell's command line).
  const engines = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      // Engines, their shims and anything else running from this run's directory.
      return argv.some((a) => a.startsWith(dir)) ? [p] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
  expect(engines).toEqual([]);
  expect(existsSync(join(dir, 'hosts'))).toBe(false);
}, 120_000);
