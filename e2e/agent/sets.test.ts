// DaemonSets and StatefulSets on real Docker, two nodes on one engine, with the real kubectl: a
// DaemonSet runs one pod on every node; a StatefulSet of 3 whose pods each write to their own
// claim (the local provisioner's Docker volumes) keeps every pod's data after the pods are deleted
// and made again, and each pod has a stable DNS name under the headless Service.
import { docker, getPod, isReady, listPods, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NODES = [
  { name: 'e2e-sets-1', ip: '127.0.23.1' },
  { name: 'e2e-sets-2', ip: '127.0.23.2' },
];
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
}, 60_000);
afterAll(async () => {
  await cluster?.close();
  // The claims' Docker volumes (the local provisioner's) outlive the cluster: remove them.
  for (const n of NODES) {
    const volumes = (await docker(['volume', 'ls', '-q', '--filter', `label=dev.skiff.node=${n.name}`])).split('\n').filter(Boolean);
    if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes]);
  }
}, 60_000);

const DS = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: node-agent }
spec:
  selector: { matchLabels: { app: node-agent } }
  template:
    metadata: { labels: { app: node-agent } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - { name: agent, image: skiff/busybox:1, command: [sleep, '100000'] }
`;

const STS = `
apiVersion: v1
kind: Service
metadata: { name: db }
spec: { clusterIP: None, selector: { app: db }, ports: [{ name: tcp, port: 5432 }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 3
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: db
          image: skiff/busybox:1
          command: [sh, -c, 'hostname >> /data/names && exec sleep 100000']
          volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 10Mi } } }
`;

test('a DaemonSet runs one pod on every node', async () => {
  const { kubectl, client } = cluster;
  await kubectl.ok(['apply', '-f', '-'], DS);
  await kubectl.ok(['rollout', 'status', 'daemonset/node-agent', '--timeout=90s']);
  const pods = (await listPods(client, 'default', 'app=node-agent')).filter((p) => !p.metadata.deletionTimestamp);
  expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(NODES.map((n) => n.name));
  expect(pods.every((p) => p.status?.phase === 'Running' && isReady(p))).toBe(true);
  expect(await kubectl.ok(['get', 'ds', 'node-agent', '--no-headers'])).toMatch(/^node-agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\S+\s*$/);
  await kubectl.ok(['delete', 'ds', 'node-agent']);
  await until('the daemon pods gone', async () => (await listPods(client, 'default', 'app=node-agent')).length === 0, 30_000);
}, 120_000);

test('a StatefulSet of 3: each pod writes to its own claim, keeps its data after being deleted, and has a stable DNS name', async () => {
  const { kubectl, client } = cluster;
  await kubectl.ok(['apply', '-f', '-'], STS);
  await kubectl.ok(['rollout', 'status', 'sts/db', '--timeout=120s']);
  const names = ['db-0', 'db-1', 'db-2'];
  const firstUids: Record<string, string> = {};
  for (const n of names) {
    const p = await getPod(client, 'default', n);
    firstUids[n] = p.metadata.uid!;
    expect(await kubectl.ok(['exec', n, '--', 'cat', '/data/names'])).toBe(`${n}\n`);
  }
  expect(await kubectl.ok(['get', 'pvc', '-l', 'app=db', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,STATUS:.status.phase'])).toMatch(/data-db-0\s+Bound\s*\ndata-db-1\s+Bound\s*\ndata-db-2\s+Bound/);

  // Every pod deleted: each comes back under its name, on its claim, with what it wrote.
  await kubectl.ok(['delete', 'pod', ...names, '--wait=false']);
  await until('3 new pods ready', async () => {
    const ps = await Promise.all(names.map((n) => getPod(client, 'default', n).catch(() => undefined)));
    return ps.every((p, i) => p && p.metadata.uid !== firstUids[names[i]] && !p.metadata.deletionTimestamp && isReady(p));
  }, 120_000);
  await kubectl.ok(['rollout', 'status', 'sts/db', '--timeout=60s']);
  for (const n of names) expect(await kubectl.ok(['exec', n, '--', 'cat', '/data/names'])).toBe(`${n}\n${n}\n`);

  // Cluster DNS answers NAME-0.SVC.NS.svc.cluster.local with that pod's address.
  const db0 = await getPod(client, 'default', 'db-0');
  const answer = await until('db-0.db resolves', async () => {
    const r = await kubectl.run(['exec', 'db-1', '--', 'nslookup', 'db-0.db.default.svc.cluster.local']);
    return r.code === 0 && r.stdout.includes(`Address: ${db0.status!.podIP}`) && r.stdout;
  }, 30_000);
  expect(answer).toContain('db-0.db.default.svc.cluster.local');
}, 300_000);
