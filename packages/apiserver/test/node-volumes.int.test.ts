// The Node authorizer and PersistentVolumes, over HTTPS with nodes' client certificates (ADR
// 0018): a node reads a volume only when it is bound to a claim one of its pods uses (Kubernetes'
// pv -> pvc -> pod -> node), or pinned to the node (its own storage, which its agent provisions
// and reclaims); nothing else — not another node's pod's volume, not a list of all volumes —
// and it loses access when its pod goes.
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import type { KeyPair } from '../src/auth/index.ts';
import { httpsCall } from './support/https.ts';

let server: TestServer;
const nodes: Record<string, KeyPair> = {};

const admin = (method: string, path: string, body?: unknown) => httpsCall(server, { method, path, body, cert: server.tls!.admin });
const asNode = (node: string, path: string, method = 'GET', body?: unknown) => httpsCall(server, { method, path, body, cert: nodes[node] });

const hostname = (node: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } });
const volume = (name: string, o: { claim?: string; pinnedTo?: string }) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: '1Gi' },
    accessModes: ['ReadWriteOnce'],
    csi: { driver: 'local.skiff.dev', volumeHandle: name },
    ...(o.claim ? { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: o.claim } } : {}),
    ...(o.pinnedTo ? { nodeAffinity: hostname(o.pinnedTo) } : {}),
  },
});
const claim = (name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
const pod = (name: string, node: string, claimName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { nodeName: node, containers: [{ name: 'main', image: 'skiff/busybox:1' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] },
});

async function created(path: string, body: unknown): Promise<void> {
  const r = await admin('POST', path, body);
  if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
}

/** The graph follows pods and volumes through watches: wait until node `a` may read `pv` (or may not). */
async function readable(node: string, pv: string, want: boolean): Promise<void> {
  await until(`${node} ${want ? 'may' : 'may not'} read ${pv}`, async () => (await asNode(node, `/api/v1/persistentvolumes/${pv}`)).status === (want ? 200 : 403), { timeoutMs: 5000 });
}

beforeAll(async () => {
  server = await startTestServer({ https: true });
  for (const n of ['a', 'b']) nodes[n] = await server.tls!.issue({ commonName: `system:node:${n}`, organizations: ['system:nodes'] });
  for (const n of ['a', 'b']) {
    await created('/api/v1/namespaces/default/persistentvolumeclaims', claim(`data-${n}`));
    await created('/api/v1/persistentvolumes', volume(`pv-${n}`, { claim: `data-${n}` }));
    await created('/api/v1/namespaces/default/pods', pod(`app-${n}`, n, `data-${n}`));
  }
  await created('/api/v1/namespaces/default/persistentvolumeclaims', claim('unused'));
  await created('/api/v1/persistentvolumes', volume('pv-unused', { claim: 'unused' }));
  await created('/api/v1/persistentvolumes', volume('local-a', { pinnedTo: 'a' }));
  await readable('a', 'pv-a', true);
  await readable('b', 'pv-b', true);
}, 30_000);
afterAll(() => server?.close());

test("a node reads the volume of its pod's claim, by get and by a watch of that one name", async () => {
  const got = await asNode('a', '/api/v1/persistentvolumes/pv-a');
  expect(got.status).toBe(200);
  expect(got.body.metadata.name).toBe('pv-a');
  const listed = await asNode('a', '/api/v1/persistentvolumes?fieldSelector=metadata.name%3Dpv-a');
  expect(listed.status).toBe(200);
  expect(listed.body.items.map((v: any) => v.metadata.name)).toEqual(['pv-a']);
});

test("node A reading node B's pod's volume: 403, with the Node authorizer's reason", async () => {
  const r = await asNode('a', '/api/v1/persistentvolumes/pv-b');
  expect(r.status).toBe(403);
  expect(r.body.message).toBe('persistentvolumes "pv-b" is forbidden: User "system:node:a" cannot get resource "persistentvolumes" in API group "" at the cluster scope: no relationship found between node \'a\' and this object');
  expect((await asNode('b', '/api/v1/persistentvolumes/pv-a')).status).toBe(403);
  expect((await asNode('b', '/api/v1/persistentvolumes?fieldSelector=metadata.name%3Dpv-a&watch=true')).status).toBe(403);
});

test('no node may list or watch every volume, nor read one no pod of its uses', async () => {
  const list = await asNode('a', '/api/v1/persistentvolumes');
  expect(list.status).toBe(403);
  expect(list.body.message).toBe('persistentvolumes is forbidden: User "system:node:a" cannot list resource "persistentvolumes" in API group "" at the cluster scope: can only read individual persistentvolumes (by name)');
  expect((await asNode('a', '/api/v1/persistentvolumes?watch=true')).status).toBe(403);
  expect((await asNode('a', '/api/v1/persistentvolumes/pv-unused')).status).toBe(403);
  expect((await asNode('a', '/api/v1/persistentvolumes/no-such-volume')).status).toBe(403);
});

test('a volume pinned to a node (its own storage) is readable by that node only', async () => {
  await readable('a', 'local-a', true);
  expect((await asNode('b', '/api/v1/persistentvolumes/local-a')).status).toBe(403);
});

test('a node may not change volumes it may read: it creates and deletes only those pinned to it', async () => {
  const patch = await httpsCall(server, { method: 'PATCH', path: '/api/v1/persistentvolumes/pv-a', body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json', cert: nodes.a });
  expect(patch.status).toBe(403);
  const other = await asNode('a', '/api/v1/persistentvolumes', 'POST', volume('sneaky', { pinnedTo: 'b' }));
  expect(other.status).toBe(403);
  expect(other.body.message).toContain('node "a" can only write persistentvolumes pinned to itself by node affinity');
  expect((await asNode('a', '/api/v1/persistentvolumes', 'POST', volume('mine', { pinnedTo: 'a' }))).status).toBe(201);
  expect((await asNode('b', '/api/v1/persistentvolumes/mine', 'DELETE')).status).toBe(403);
});

test('access follows the graph: the pod deleted, the volume is no longer readable; a volume re-bound to another claim neither', async () => {
  expect((await admin('DELETE', '/api/v1/namespaces/default/pods/app-b?gracePeriodSeconds=0')).status).toBe(200);
  await readable('b', 'pv-b', false);
  // pv-a now names a claim no pod of a uses.
  const rebound = await httpsCall(server, { method: 'PATCH', path: '/api/v1/persistentvolumes/pv-a', body: { spec: { claimRef: { namespace: 'default', name: 'unused' } } }, contentType: 'application/merge-patch+json', cert: server.tls!.admin });
  expect(rebound.status).toBe(200);
  await readable('a', 'pv-a', false);
});

test('the default policy no longer lets every node read every volume', async () => {
  const role = await admin('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:skiff:local-provisioner');
  expect(role.body.rules).toEqual([
    { verbs: ['create', 'delete'], apiGroups: [''], resources: ['persistentvolumes'] },
    { verbs: ['get', 'list', 'watch'], apiGroups: ['storage.k8s.io'], resources: ['storageclasses'] },
  ]);
});
