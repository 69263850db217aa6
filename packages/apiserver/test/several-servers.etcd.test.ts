// Several `skiff server` processes on one etcd cluster (issue 11): they serve the same objects; a
// write on one is seen, in order and with no gap, by watchers on the others; a conflict is a 409
// whichever server takes it; concurrent conflicting updates through different servers: exactly
// one succeeds; an API server SIGKILLed during concurrent creates loses nothing it acknowledged
// and the survivor's watchers miss nothing; leader election keeps exactly one active scheduler.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, pod, readWatch } from './support/server.ts';
import { SKIFF_MAIN, startChildServer, startEtcdCluster, until, type ChildServer } from '../src/testing/index.ts';
import { buildApp } from '../src/app.ts';
import type { EtcdCluster } from '../src/testing/index.ts';

interface Proc {
  server: ChildServer<string>;
  url: string;
}

let cluster: EtcdCluster;
const procs: Proc[] = [];
/** The servers' data directories, removed at the end. */
const dataDirs: string[] = [];
beforeAll(async () => {
  cluster = await startEtcdCluster(3);
}, 30_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => p.server.stop('SIGKILL')));
  await cluster.stop();
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

async function startServer(prefixArgs: string[] = ['--no-scheduler', '--no-controllers']): Promise<Proc> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-several-'));
  dataDirs.push(dataDir);
  const server = await startChildServer([SKIFF_MAIN, 'server', '--datastore-endpoint', cluster.endpoint, '--port', '0', '--insecure-port', '0', '--data-dir', dataDir, ...prefixArgs]);
  const p = { server, url: server.ready };
  procs.push(p);
  return p;
}

const PODS = '/api/v1/namespaces/default/pods';

test('a write on one server is seen in order, with no gap, by a watcher on the other; 409 from either', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()]);
  const apiA = client(a.url);
  const apiB = client(b.url);
  const list = await apiB('GET', PODS);
  const names = Array.from({ length: 30 }, (_, i) => `order-${i}`);
  const watching = readWatch(`${b.url}${PODS}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, (ev) => ev.length >= names.length);
  await watching.opened;
  const rvs: string[] = [];
  for (const n of names) {
    const r = await apiA('POST', PODS, pod(n));
    expect(r.status).toBe(201);
    rvs.push(r.body.metadata.resourceVersion);
  }
  const { events } = await watching;
  expect(events.map((e) => `${e.type}:${e.object.metadata.name}:${e.object.metadata.resourceVersion}`)).toEqual(names.map((n, i) => `ADDED:${n}:${rvs[i]}`));

  // The same object through either server; a stale resourceVersion is a 409 on both.
  const onB = await apiB('GET', `${PODS}/order-0`);
  expect(onB.body).toEqual((await apiA('GET', `${PODS}/order-0`)).body);
  const stale = onB.body;
  expect((await apiA('PUT', `${PODS}/order-0`, { ...stale, metadata: { ...stale.metadata, labels: { by: 'a' } } })).status).toBe(200);
  const conflictB = await apiB('PUT', `${PODS}/order-0`, { ...stale, metadata: { ...stale.metadata, labels: { by: 'b' } } });
  expect(conflictB.status).toBe(409);
  expect(conflictB.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
  expect((await apiA('POST', PODS, pod('order-1'))).status).toBe(409);
  expect((await apiB('POST', PODS, pod('order-1'))).status).toBe(409);
}, 60_000);

test('concurrent conflicting updates through different servers: exactly one succeeds', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()]);
  const apis = [client(a.url), client(b.url)];
  for (let round = 0; round < 5; round++) {
    const name = `race-${round}`;
    const created = (await apis[0]('POST', PODS, pod(name))).body;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => apis[i % 2]('PUT', `${PODS}/${name}`, { ...created, metadata: { ...created.metadata, labels: { writer: String(i) } } })),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([200, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!.body.metadata.labels.writer;
    expect((await apis[1]('GET', `${PODS}/${name}`)).body.metadata.labels).toEqual({ writer: winner });
  }
}, 60_000);

test('SIGKILL one of two servers during concurrent creates: every acknowledged create is readable from the other; its watcher misses nothing', async () => {
  const [a, b] = await Promise.all([startServer(), startServer()]);
  const apiA = client(a.url);
  const apiB = client(b.url);
  const from = (await apiB('GET', PODS)).body.metadata.resourceVersion;
  const acked: { name: string; rv: string }[] = [];
  let lastRv: string | undefined;
  // A watcher open on the survivor throughout; it reads until the marker written at the end.
  const watching = readWatch(`${b.url}${PODS}?watch=true&resourceVersion=${from}`, (ev) => lastRv !== undefined && ev.some((e) => e.object.metadata.resourceVersion === lastRv), {
    timeoutMs: 90_000,
  });
  await watching.opened;
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 200; i++) {
      const name = `kill-${w}-${i}`;
      try {
        const r = await apiA('POST', PODS, pod(name));
        if (r.status === 201) acked.push({ name, rv: r.body.metadata.resourceVersion });
      } catch {
        return; // the server is gone: the connection failed, nothing was acknowledged
      }
    }
  });
  await until('some creates acknowledged', () => acked.length >= 40, 20_000);
  await a.server.stop('SIGKILL');
  await Promise.all(writers);
  expect(acked.length).toBeGreaterThanOrEqual(40);
  for (const { name, rv } of acked) {
    const r = await apiB('GET', `${PODS}/${name}`);
    expect(r.status).toBe(200);
    expect(r.body.metadata.resourceVersion).toBe(rv);
  }
  // One more write through the survivor marks the end of what its watcher must have delivered.
  lastRv = (await apiB('POST', PODS, pod('kill-last'))).body.metadata.resourceVersion;
  // (the reader looks at its condition when data arrives: one more event makes it look again)
  await apiB('POST', PODS, pod('kill-after'));
  const { events } = await watching;
  const revs = events.map((e) => Number(e.object.metadata.resourceVersion));
  expect([...revs].sort((x, y) => x - y)).toEqual(revs);
  expect(new Set(revs).size).toBe(revs.length);
  const seen = new Set(events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name));
  for (const { name } of acked) expect(seen.has(name)).toBe(true);
  expect(seen.has('kill-last')).toBe(true);
}, 120_000);

test('leader election across servers: exactly one active scheduler and controller manager; the other takes over when the leader dies', async () => {
  const [a, b] = await Promise.all([startServer([]), startServer([])]);
  const api = client(b.url);
  const holder = async (lease: string) => (await api('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${lease}`)).body?.spec?.holderIdentity as string | undefined;
  const sched = await until('a scheduler leader', () => holder('skiff-scheduler'), 30_000);
  const cm = await until('a controller manager leader', () => holder('skiff-controller-manager'), 30_000);
  // The leader says so just after its lease is written (from the components' process, which may
  // run a moment behind): wait for the line itself, then check that only one server says it.
  const leaders = await until('the leading scheduler says so', () => {
    const saying = [a, b].filter((p) => /is the leader; scheduling/.test(p.server.output()));
    return saying.length > 0 ? saying : undefined;
  }, 10_000);
  expect(leaders).toHaveLength(1);
  const leader = leaders[0];
  const other = leader === a ? b : a;
  expect(sched).toBeDefined();
  expect(cm).toBeDefined();
  await leader.server.stop('SIGKILL');
  const otherApi = client(other.url);
  await until('the other server\'s scheduler leads', () => /is the leader; scheduling/.test(other.server.output()), 40_000);
  const newHolder = (await otherApi('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/skiff-scheduler')).body.spec.holderIdentity;
  expect(newHolder).not.toBe(sched);
}, 120_000);

test('Service ClusterIPs and NodePorts are unique across servers creating at once; a deleted Service gives its address back', async () => {
  const apps = await Promise.all([0, 1].map(() => buildApp({ etcd: { hosts: cluster.hosts, prefix: '/skiff-svc/', compactIntervalMs: 0 } })));
  try {
    const urls = await Promise.all(apps.map(async (app) => {
      await app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    }));
    const apis = urls.map(client);
    const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80 }] } });
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => apis[i % 2]('POST', '/api/v1/namespaces/default/services', svc(`s${i}`))));
    for (const r of results) expect(r.status).toBe(201);
    const ips = results.map((r) => r.body.spec.clusterIP);
    const ports = results.map((r) => r.body.spec.ports[0].nodePort);
    expect(new Set(ips).size).toBe(24);
    expect(new Set(ports).size).toBe(24);
    // A requested address someone holds is refused, through either server.
    const taken = await apis[1]('POST', '/api/v1/namespaces/default/services', { ...svc('dup'), spec: { ...svc('dup').spec, clusterIP: ips[0] } });
    expect(taken.status).toBe(422);
    expect(taken.body.message).toContain('already allocated');
    // Deleted on one server, the address can be asked for on the other.
    expect((await apis[0]('DELETE', '/api/v1/namespaces/default/services/s0')).status).toBe(200);
    const again = await apis[1]('POST', '/api/v1/namespaces/default/services', { ...svc('again'), spec: { ...svc('again').spec, clusterIP: ips[0] } });
    expect(again.status).toBe(201);
    expect(again.body.spec.clusterIP).toBe(ips[0]);
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
}, 60_000);
