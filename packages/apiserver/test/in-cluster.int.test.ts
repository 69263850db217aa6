// In-cluster access on the API server's side (issue 12 §1): the `kubernetes` Service and its
// endpoints kept by every server (lease-based, as kube-apiserver's endpoint reconciler), the
// advertise address, and the ServiceAccount admission that mounts the token volume. Over HTTPS.
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { ensureClusterPki, startApiServer } from '../src/index.ts';
import { KubernetesServiceReconciler } from '../src/registry/kubernetes-service.ts';
import { deepEqual } from '@skiff/api';

interface Reply {
  status: number;
  body: any;
}

function call(url: string, tls: { ca: string; cert: string; key: string }, path: string, method = 'GET', body?: unknown): Promise<Reply> {
  const u = new URL(url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers, ca: tls.ca, cert: tls.cert, key: tls.key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('the kubernetes Service', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-kubernetes-svc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a TLS server makes it in default: the range\'s first address, 443 named https to the secure port, and keeps it', async () => {
    const pki = await ensureClusterPki(join(dir, 'pki'), ['127.0.0.1']);
    const server = await startApiServer({ dataDir: dir, port: 0, tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert }, endpointReconcile: { intervalMs: 100 } });
    const tls = { ca: pki.ca.cert, ...pki.admin };
    try {
      const svc = (await call(server.url, tls, '/api/v1/namespaces/default/services/kubernetes')).body;
      expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
      expect(svc.spec).toMatchObject({ type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.port }] });
      // Bound to loopback and told nothing else, the server lists no endpoint pods could not reach.
      expect(server.advertiseAddress).toBeUndefined();
      expect((await call(server.url, tls, '/api/v1/namespaces/default/endpoints/kubernetes')).body.subsets ?? []).toEqual([]);
      // Other Services never get the reserved first address.
      const other = await call(server.url, tls, '/api/v1/namespaces/default/services', 'POST', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });
      expect(other.body.spec.clusterIP).toBe('10.96.0.2');
      // Deleted, it comes back.
      expect((await call(server.url, tls, '/api/v1/namespaces/default/services/kubernetes', 'DELETE')).status).toBe(200);
      await until('the kubernetes Service made again', async () => (await call(server.url, tls, '/api/v1/namespaces/default/services/kubernetes')).status === 200, { timeoutMs: 5000 });
    } finally {
      await server.close();
    }
  });

  test('an advertise address pods cannot reach is refused at start', async () => {
    const pki = await ensureClusterPki(join(dir, 'pki'), ['127.0.0.1']);
    const tls = { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert };
    await expect(startApiServer({ dataDir: dir, port: 0, tls, advertiseAddress: '127.0.0.2' })).rejects.toThrow(/cannot advertise 127.0.0.2: .*loopback/);
    await expect(startApiServer({ dataDir: dir, port: 0, tls, advertiseAddress: 'api.example' })).rejects.toThrow(/not an IP address/);
    await expect(startApiServer({ dataDir: dir, port: 0, advertiseAddress: '10.0.0.1' })).rejects.toThrow(/needs TLS/);
  });
});

describe('endpoints of several API servers (lease reconciler)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ https: true });
  });
  afterAll(() => server.close());

  const get = (path: string) => call(server.url, { ca: server.tls!.ca, ...server.tls!.admin }, path);
  const endpoints = async () => ((await get('/api/v1/namespaces/default/endpoints/kubernetes')).body.subsets ?? []) as { addresses: { ip: string }[]; ports: { name: string; port: number }[] }[];
  const sliceAddresses = async () => ((await get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes')).body.items as { metadata: { name: string; labels: Record<string, string> }; endpoints: { addresses: string[] }[]; ports: { port: number }[] }[]).flatMap((s) => s.endpoints.map((e) => `${e.addresses[0]}:${s.ports[0].port}`)).sort();

  test('each server lists itself; one that stops cleanly leaves at once, one that dies when its lease expires', async () => {
    // One clock for the three servers, moved by the test: a lease expires exactly when it says.
    let clock = Date.now();
    const make = (address: string) => new KubernetesServiceReconciler({ stores: server.app.skiff.stores, serviceIP: '10.96.0.1', port: 6443, advertise: { address, port: 6443 }, leaseSeconds: 15, intervalMs: 200, log: () => undefined, now: () => clock });
    const a = make('10.0.0.1');
    const b = make('10.0.0.2');
    const c = make('10.0.0.3');
    await a.start();
    await b.start();
    // c renews its lease once and dies without a word (no timer, no clean stop).
    await c.reconcile();
    try {
      await until('three servers listed', async () => (await endpoints())[0]?.addresses.length === 3, { timeoutMs: 5000 });
      expect(await endpoints()).toEqual([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
      expect((await get('/api/v1/namespaces/default/endpoints/kubernetes')).body.metadata.labels).toEqual({ 'endpointslice.kubernetes.io/skip-mirror': 'true' });
      expect(await sliceAddresses()).toEqual(['10.0.0.1:6443', '10.0.0.2:6443', '10.0.0.3:6443']);

      // A clean stop: out at once, with the clock still (no lease expires). a's pass, every 200 ms,
      // may have read b's Lease just before b stopped and write b back; it reads the Leases again
      // after writing and takes b out in the same pass (it did not, in CI, before that).
      await b.stop();
      const out = async () => (await sliceAddresses()).join() === '10.0.0.1:6443,10.0.0.3:6443' && deepEqual((await endpoints())[0].addresses, [{ ip: '10.0.0.1' }, { ip: '10.0.0.3' }]);
      await until('b out of the slices and the Endpoints', out, { timeoutMs: 2000 });

      // 16 s later c's lease has run out (a renews its own at every pass): a's next pass removes c.
      clock += 16_000;
      // The pass writes the Endpoints, the slices and the Lease one after another: wait for all
      // three (CI once read the slices between the first two), then check each exactly.
      const deadLease = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/apiserver-endpoint-10-0-0-3-6443';
      const gone = async () => (await endpoints())[0]?.addresses.length === 1 && (await sliceAddresses()).length === 1 && (await get(deadLease)).status === 404;
      await until('the dead server gone from the Endpoints, the slices and its Lease', gone, { timeoutMs: 10_000 });
      expect((await endpoints())[0].addresses).toEqual([{ ip: '10.0.0.1' }]);
      expect(await sliceAddresses()).toEqual(['10.0.0.1:6443']);
      expect((await get(deadLease)).status).toBe(404);
    } finally {
      await a.stop();
    }
    expect(await endpoints()).toEqual([]);
  });

  test("servers' passes that run at once each write over the other's, rather than failing on a conflict", async () => {
    // Each pass reads then writes the same Endpoints, slices and its own Lease; passes started
    // together interleave at every storage call, so the later writer's read is stale (CI once saw
    // a 409 here: the pass wrote back the resourceVersion it had read, pinning its write).
    let clock = Date.now();
    const servers = ['10.0.1.1', '10.0.1.2', '10.0.1.3'].map((address) => new KubernetesServiceReconciler({ stores: server.app.skiff.stores, serviceIP: '10.96.0.1', port: 6443, advertise: { address, port: 6443 }, leaseSeconds: 15, log: () => undefined, now: () => clock }));
    try {
      for (let round = 0; round < 5; round++) {
        clock += 1000;
        await Promise.all(servers.map((s) => s.reconcile()));
      }
      expect(await sliceAddresses()).toEqual(['10.0.1.1:6443', '10.0.1.2:6443', '10.0.1.3:6443']);
    } finally {
      for (const s of servers) await s.stop();
    }
    expect(await endpoints()).toEqual([]);
  });
});

describe('ServiceAccount admission', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ https: true });
  });
  afterAll(() => server.close());

  const admin = () => ({ ca: server.tls!.ca, ...server.tls!.admin });
  const post = (path: string, body: unknown) => call(server.url, admin(), path, 'POST', body);
  const sa = (name: string, extra: Record<string, unknown> = {}) => post('/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name }, ...extra });
  const pod = (name: string, spec: Record<string, unknown> = {}) =>
    post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }], initContainers: [{ name: 'i', image: 'x' }], ...spec } });

  test('a pod naming a missing ServiceAccount is refused (403); a missing `default` is not (ADR 0017)', async () => {
    const missing = await pod('orphan', { serviceAccountName: 'nobody' });
    expect(missing.status).toBe(403);
    expect(missing.body.message).toBe('pods "orphan" is forbidden: error looking up service account default/nobody: serviceaccount "nobody" not found');
    // `default` does not exist (no controller manager here): admitted, with the token volume the
    // agent fills once it exists.
    const first = await pod('first');
    expect(first.status).toBe(201);
    expect(first.body.spec.serviceAccountName).toBe('default');
    expect(first.body.spec.serviceAccount).toBe('default');
    expect(first.body.spec.volumes.map((v: { name: string }) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
    expect((await sa('default')).status).toBe(201);
  });

  test('the token volume and its mounts, as kube-apiserver adds them', async () => {
    const created = (await pod('mounted')).body;
    const volume = created.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    expect(volume.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(volume.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...created.spec.containers, ...created.spec.initContainers]) {
      expect(c.volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
  });

  /** Resolves once the server's watch of ServiceAccounts from `rv` has delivered an event `seen` accepts. */
  const watched = (rv: string, seen: (e: { type: string; object: { metadata: { name: string } } }) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const u = new URL(server.url);
      const req = request({ host: u.hostname, port: u.port, path: `/api/v1/namespaces/default/serviceaccounts?watch=true&resourceVersion=${rv}`, ...admin(), agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
          const lines = text.split('\n');
          text = lines.pop()!;
          if (lines.some((l) => l && seen(JSON.parse(l)))) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
      req.end();
    });

  test('each pod is admitted with its ServiceAccount as the server last saw it: made, changed, deleted', async () => {
    // Made just before: the server's view may not have it yet (etcd), and looks it up.
    const made = await sa('builder', { imagePullSecrets: [{ name: 'registry-a' }] });
    expect(made.status).toBe(201);
    const first = await pod('built-1', { serviceAccountName: 'builder' });
    expect(first.status).toBe(201);
    expect(first.body.spec.imagePullSecrets).toEqual([{ name: 'registry-a' }]);
    expect(first.body.spec.volumes.map((v: { name: string }) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
    // Changed: once the server has seen the change (its watch delivered it), pods follow it.
    const path = '/api/v1/namespaces/default/serviceaccounts/builder';
    const changedSeen = watched(made.body.metadata.resourceVersion, (e) => e.type === 'MODIFIED' && e.object.metadata.name === 'builder');
    const changed = await call(server.url, admin(), path, 'PUT', { ...made.body, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'registry-b' }] });
    expect(changed.status).toBe(200);
    await changedSeen;
    const second = await pod('built-2', { serviceAccountName: 'builder' });
    expect(second.status).toBe(201);
    expect(second.body.spec.imagePullSecrets).toEqual([{ name: 'registry-b' }]);
    expect(second.body.spec.volumes).toBeUndefined();
    // Deleted: refused again.
    const deletedSeen = watched(changed.body.metadata.resourceVersion, (e) => e.type === 'DELETED' && e.object.metadata.name === 'builder');
    expect((await call(server.url, admin(), path, 'DELETE')).status).toBe(200);
    await deletedSeen;
    const third = await pod('built-3', { serviceAccountName: 'builder' });
    expect(third.status).toBe(403);
    expect(third.body.message).toContain('serviceaccount "builder" not found');
  });

  test('no token when the pod or its ServiceAccount says so, or a container mounts something there', async () => {
    await sa('quiet', { automountServiceAccountToken: false });
    const viaSa = (await pod('quiet-sa', { serviceAccountName: 'quiet' })).body;
    expect(viaSa.spec.volumes ?? []).toEqual([]);
    const viaPod = (await pod('quiet-pod', { automountServiceAccountToken: false })).body;
    expect(viaPod.spec.volumes ?? []).toEqual([]);
    // The pod's own word wins over its ServiceAccount's.
    const loud = (await pod('loud', { serviceAccountName: 'quiet', automountServiceAccountToken: true })).body;
    expect(loud.spec.volumes.map((v: { name: string }) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
    const own = (
      await post('/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'own' },
        spec: { volumes: [{ name: 'mine', emptyDir: {} }], containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }] },
      })
    ).body;
    expect(own.spec.volumes).toEqual([{ name: 'mine', emptyDir: {} }]);
  });
});
