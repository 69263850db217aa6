// Authorization against a real server over HTTPS with real credentials (issue 12 §2): RBAC with
// the default roles, escalation prevention, the Node authorizer and NodeRestriction, the review
// APIs through real kubectl (`auth can-i`, `--list`), impersonation, the exec upgrade, and
// ClusterRole aggregation. Every refusal is checked with Kubernetes' words.
import { request } from 'node:https';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { renderKubeconfig, type KeyPair } from '../src/auth/index.ts';
import { httpsCall, type HttpsResult } from './support/https.ts';

const run = promisify(execFile);
const RBAC = 'rbac.authorization.k8s.io';
let server: TestServer;
let cache: string;
const certs: Record<string, KeyPair> = {};

interface Call {
  path: string;
  method?: string;
  body?: unknown;
  as?: string;
  headers?: Record<string, string | string[]>;
  contentType?: string;
}

/** An HTTPS request as one of the test's users (a client certificate signed by the cluster CA). */
async function call(c: Call): Promise<Pick<HttpsResult, 'status' | 'body'>> {
  const { as, ...rest } = c;
  const { status, body } = await httpsCall(server, { ...rest, cert: as ? certs[as] : server.tls!.admin });
  return { status, body };
}

/** Real kubectl as a user (its own kubeconfig with that user's certificate). */
async function kubectl(user: string | undefined, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(cache, `${user ?? 'admin'}.kubeconfig`);
  writeFileSync(file, renderKubeconfig({ server: server.url, ca: server.tls!.ca, user: user ? certs[user] : server.tls!.admin }), { mode: 0o600 });
  try {
    const r = await run('/usr/bin/kubectl', [...args, '--kubeconfig', file, '--cache-dir', join(cache, 'http')]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleKind: string, role: string, subjects: object[], namespace?: string) => ({
  apiVersion: `${RBAC}/v1`,
  kind,
  metadata: namespace ? { name, namespace } : { name },
  roleRef: { apiGroup: RBAC, kind: roleKind, name: role },
  subjects,
});
const user = (name: string) => ({ apiGroup: RBAC, kind: 'User', name });

/**
 * Waits until the server's authorizer allows it (a SubjectAccessReview): what RBAC and the Node
 * authorizer know comes from watches, which on etcd trail a write by a moment, as Kubernetes'
 * informers do.
 */
async function allowed(userName: string, groups: string[], resourceAttributes: Record<string, string>): Promise<void> {
  const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: userName, groups: [...groups, 'system:authenticated'], resourceAttributes } };
  await until(`${userName} may ${JSON.stringify(resourceAttributes)}`, async () => (await call({ method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body })).body.status?.allowed === true, { timeoutMs: 5000 });
}

async function created(c: Call): Promise<any> {
  const r = await call({ method: 'POST', ...c });
  if (r.status !== 201) throw new Error(`${c.path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

beforeAll(async () => {
  server = await startTestServer({ https: true });
  cache = mkdtempSync(join(tmpdir(), 'skiff-authz-'));
  for (const name of ['viewer', 'team-admin', 'impersonator', 'nobody']) certs[name] = await server.tls!.issue({ commonName: name });
  for (const node of ['a', 'b']) certs[`node-${node}`] = await server.tls!.issue({ commonName: `system:node:${node}`, organizations: ['system:nodes'] });
  await created({ path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
  // viewer: `view` in default; team-admin: `admin` in team; impersonator: may impersonate viewer only.
  await created({ path: `/apis/${RBAC}/v1/namespaces/default/rolebindings`, body: binding('RoleBinding', 'viewer-view', 'ClusterRole', 'view', [user('viewer')], 'default') });
  await created({ path: `/apis/${RBAC}/v1/namespaces/team/rolebindings`, body: binding('RoleBinding', 'team-admin', 'ClusterRole', 'admin', [user('team-admin')], 'team') });
  await created({ path: `/apis/${RBAC}/v1/clusterroles`, body: { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'impersonate-viewer' }, rules: [{ apiGroups: [''], resources: ['users'], resourceNames: ['viewer'], verbs: ['impersonate'] }] } });
  await created({ path: `/apis/${RBAC}/v1/clusterrolebindings`, body: binding('ClusterRoleBinding', 'impersonator', 'ClusterRole', 'impersonate-viewer', [user('impersonator')]) });
  await allowed('viewer', [], { namespace: 'default', verb: 'list', resource: 'pods' });
  await allowed('team-admin', [], { namespace: 'team', verb: 'create', resource: 'rolebindings', group: RBAC });
  await allowed('impersonator', [], { verb: 'impersonate', resource: 'users', name: 'viewer' });
}, 30_000);
afterAll(async () => {
  await server?.close();
  rmSync(cache, { recursive: true, force: true });
});

describe('the default policy', () => {
  test('is in place: the roles, their bindings, admin/edit/view aggregated', async () => {
    const roles = (await call({ path: `/apis/${RBAC}/v1/clusterroles` })).body.items.map((r: any) => r.metadata.name);
    for (const r of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer', 'system:node-bootstrapper', 'system:kube-scheduler', 'system:kube-controller-manager']) expect(roles).toContain(r);
    const view = (await call({ path: `/apis/${RBAC}/v1/clusterroles/view` })).body;
    expect(view.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate']).toBe('true');
    expect(view.rules).toContainEqual(expect.objectContaining({ apiGroups: [''], resources: expect.arrayContaining(['pods', 'configmaps']), verbs: ['get', 'list', 'watch'] }));
    // edit holds view's rules and its own; admin holds edit's.
    const edit = (await call({ path: `/apis/${RBAC}/v1/clusterroles/edit` })).body;
    const admin = (await call({ path: `/apis/${RBAC}/v1/clusterroles/admin` })).body;
    for (const r of view.rules) expect(edit.rules).toContainEqual(r);
    for (const r of edit.rules) expect(admin.rules).toContainEqual(r);
    const discovery = (await call({ path: `/apis/${RBAC}/v1/clusterroles/system:discovery` })).body;
    expect(discovery.rules).toEqual([{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]);
    const crbs = (await call({ path: `/apis/${RBAC}/v1/clusterrolebindings` })).body.items;
    const subjects = (name: string) => crbs.find((b: any) => b.metadata.name === name)?.subjects.map((s: any) => s.name);
    expect(subjects('cluster-admin')).toEqual(['system:masters']);
    expect(subjects('system:public-info-viewer')).toEqual(['system:authenticated', 'system:unauthenticated']);
    expect(subjects('system:node-bootstrapper')).toEqual(['system:bootstrappers']);
    expect(subjects('system:certificates.k8s.io:certificatesigningrequests:nodeclient')).toEqual(['system:bootstrappers']);
    expect(subjects('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient')).toEqual(['system:nodes']);
  });

  test('a bootstrap token may ask for a node certificate, and nothing else; a node may renew its own', async () => {
    const review = async (userName: string, groups: string[], resourceAttributes: Record<string, string>) =>
      (await call({ method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: userName, groups, resourceAttributes } } })).body.status.allowed;
    const boot = ['system:bootstrappers', 'system:authenticated'];
    const csr = { group: 'certificates.k8s.io', resource: 'certificatesigningrequests' };
    for (const verb of ['create', 'get', 'list', 'watch']) expect(await review('system:bootstrap:abcdef', boot, { ...csr, verb })).toBe(true);
    expect(await review('system:bootstrap:abcdef', boot, { ...csr, subresource: 'nodeclient', verb: 'create' })).toBe(true);
    expect(await review('system:bootstrap:abcdef', boot, { ...csr, verb: 'delete', name: 'x' })).toBe(false);
    expect(await review('system:bootstrap:abcdef', boot, { namespace: 'default', resource: 'pods', verb: 'list' })).toBe(false);
    expect(await review('system:node:a', ['system:nodes', 'system:authenticated'], { ...csr, subresource: 'selfnodeclient', verb: 'create' })).toBe(true);
  });

  test('a ClusterRole labelled aggregate-to-view joins view (and so edit and admin)', async () => {
    await created({ path: `/apis/${RBAC}/v1/clusterroles`, body: { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'widgets-view', labels: { [`${RBAC}/aggregate-to-view`]: 'true' } }, rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }] } });
    const rule = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] };
    for (const role of ['view', 'edit', 'admin']) await until(`${role} aggregated widgets`, async () => (await call({ path: `/apis/${RBAC}/v1/clusterroles/${role}` })).body.rules.some((r: any) => JSON.stringify(r) === JSON.stringify(rule)), { timeoutMs: 5000 });
  });

  test('kubectl get clusterroles, rolebindings -o wide', async () => {
    const roles = await kubectl(undefined, ['get', 'clusterroles']);
    expect(roles.stdout).toMatch(/^NAME\s+CREATED AT\n/);
    expect(roles.stdout).toMatch(/\ncluster-admin\s+\d{4}-\d\d-\d\dT/);
    const rb = await kubectl(undefined, ['get', 'rolebindings', '-n', 'default', '-o', 'wide']);
    expect(rb.stdout).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\n/);
    expect(rb.stdout).toMatch(/\nviewer-view\s+ClusterRole\/view\s+\S+\s+viewer\s/);
    const made = await kubectl(undefined, ['create', 'role', 'pod-reader', '-n', 'team', '--verb=get,list', '--resource=pods,pods/log']);
    expect(made).toMatchObject({ code: 0, stdout: 'role.rbac.authorization.k8s.io/pod-reader created\n' });
    const bound = await kubectl(undefined, ['create', 'rolebinding', 'read-pods', '-n', 'team', '--role=pod-reader', '--user=nobody']);
    expect(bound).toMatchObject({ code: 0, stdout: 'rolebinding.rbac.authorization.k8s.io/read-pods created\n' });
    await allowed('nobody', [], { namespace: 'team', verb: 'list', resource: 'pods' });
    expect((await kubectl('nobody', ['get', 'pods', '-n', 'team'])).code).toBe(0);
    expect((await kubectl(undefined, ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes'])).code).toBe(0);
    expect((await kubectl(undefined, ['create', 'clusterrolebinding', 'nobody-nodes', '--clusterrole=node-reader', '--user=nobody'])).code).toBe(0);
    await allowed('nobody', [], { verb: 'get', resource: 'nodes', name: 'x' });
    expect((await kubectl('nobody', ['get', 'nodes', 'x'])).stderr).toContain('NotFound');
  });
});

describe('RBAC', () => {
  test('a view user reads, and creating is 403 with Kubernetes\' message', async () => {
    expect((await kubectl('viewer', ['get', 'pods'])).code).toBe(0);
    const r = await kubectl('viewer', ['create', 'configmap', 'x', '--from-literal=a=b']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: failed to create configmap: configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default"\n');
    const raw = await call({ as: 'viewer', path: '/api/v1/namespaces/default/secrets/s' });
    expect(raw).toEqual({
      status: 403,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'secrets "s" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "default"', reason: 'Forbidden', details: { name: 's', kind: 'secrets' }, code: 403 },
    });
    // Not in another namespace, not cluster-wide, not a non-resource path it is not given.
    expect((await call({ as: 'viewer', path: '/api/v1/namespaces/team/pods' })).body.message).toBe('pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "team"');
    expect((await call({ as: 'viewer', path: '/apis/apps/v1/deployments?watch=true' })).body.message).toBe('deployments.apps is forbidden: User "viewer" cannot watch resource "deployments" in API group "apps" at the cluster scope');
    expect((await call({ as: 'viewer', path: '/metrics' })).body.message).toBe('forbidden: User "viewer" cannot get path "/metrics"');
    // Discovery and whoami work for every authenticated user.
    expect((await call({ as: 'viewer', path: '/apis' })).status).toBe(200);
  });

  test('resourceNames, subresources and */subresource', async () => {
    await created({ path: `/apis/${RBAC}/v1/namespaces/default/roles`, body: { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'one-cm', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['mine'], verbs: ['get', 'list', 'watch'] }, { apiGroups: ['*'], resources: ['*/scale'], verbs: ['get'] }] } });
    await created({ path: `/apis/${RBAC}/v1/namespaces/default/rolebindings`, body: binding('RoleBinding', 'nobody-one-cm', 'Role', 'one-cm', [user('nobody')], 'default') });
    await created({ path: '/api/v1/namespaces/default/configmaps', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine' } } });
    await allowed('nobody', [], { namespace: 'default', verb: 'get', resource: 'configmaps', name: 'mine' });
    expect((await call({ as: 'nobody', path: '/api/v1/namespaces/default/configmaps/mine' })).status).toBe(200);
    expect((await call({ as: 'nobody', path: '/api/v1/namespaces/default/configmaps/other' })).status).toBe(403);
    expect((await call({ as: 'nobody', path: '/api/v1/namespaces/default/configmaps' })).status).toBe(403);
    // A list naming the object by field selector is a request for that object.
    expect((await call({ as: 'nobody', path: '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dmine' })).status).toBe(200);
    expect((await call({ as: 'nobody', path: '/apis/apps/v1/namespaces/default/deployments/d/scale' })).status).toBe(404);
    expect((await call({ as: 'nobody', path: '/apis/apps/v1/namespaces/default/deployments/d' })).status).toBe(403);
  });

  test('a binding that escalates is 403; binding what one holds is allowed; so is bind or escalate when given', async () => {
    // team-admin holds admin in team, not cluster-admin.
    const escalate = await kubectl('team-admin', ['create', 'rolebinding', 'grab', '-n', 'team', '--clusterrole=cluster-admin', '--user=team-admin']);
    expect(escalate.code).toBe(1);
    expect(escalate.stderr).toContain('rolebindings.rbac.authorization.k8s.io "grab" is forbidden: user "team-admin" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    expect((await kubectl('team-admin', ['create', 'rolebinding', 'helpers', '-n', 'team', '--clusterrole=edit', '--user=nobody'])).code).toBe(0);
    // A Role with a rule it does not hold: 403, naming the rule; with rules it holds: created.
    const role = await kubectl('team-admin', ['create', 'role', 'nodes', '-n', 'team', '--verb=get', '--resource=nodes']);
    expect(role.stderr).toContain('is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}');
    expect((await kubectl('team-admin', ['create', 'role', 'cms', '-n', 'team', '--verb=get,update', '--resource=configmaps'])).code).toBe(0);
    // Escalating an existing role is refused too.
    const patched = await call({ as: 'team-admin', method: 'PATCH', path: `/apis/${RBAC}/v1/namespaces/team/roles/cms`, contentType: 'application/merge-patch+json', body: { rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }] } });
    expect(patched.status).toBe(403);
    // Given `bind` on cluster-admin (and `escalate` on roles), the same writes pass.
    await created({ path: `/apis/${RBAC}/v1/namespaces/team/roles`, body: { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'binder', namespace: 'team' }, rules: [{ apiGroups: [RBAC], resources: ['clusterroles'], resourceNames: ['cluster-admin'], verbs: ['bind'] }, { apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'] }] } });
    await created({ path: `/apis/${RBAC}/v1/namespaces/team/rolebindings`, body: binding('RoleBinding', 'binder', 'Role', 'binder', [user('team-admin')], 'team') });
    await allowed('team-admin', [], { namespace: 'team', verb: 'bind', group: RBAC, resource: 'clusterroles', name: 'cluster-admin' });
    expect((await kubectl('team-admin', ['create', 'rolebinding', 'grab', '-n', 'team', '--clusterrole=cluster-admin', '--user=nobody'])).code).toBe(0);
    expect((await kubectl('team-admin', ['create', 'role', 'nodes', '-n', 'team', '--verb=get', '--resource=nodes'])).code).toBe(0);
    // A binding to a role that does not exist (and no bind verb): 404.
    expect((await call({ as: 'team-admin', method: 'POST', path: `/apis/${RBAC}/v1/namespaces/team/rolebindings`, body: binding('RoleBinding', 'ghost', 'Role', 'ghost', [user('nobody')], 'team') })).status).toBe(404);
  });

  test('a binding\'s roleRef cannot change', async () => {
    const rb = (await call({ path: `/apis/${RBAC}/v1/namespaces/default/rolebindings/viewer-view` })).body;
    const r = await call({ method: 'PUT', path: `/apis/${RBAC}/v1/namespaces/default/rolebindings/viewer-view`, body: { ...rb, roleRef: { ...rb.roleRef, name: 'edit' } } });
    expect(r.status).toBe(422);
    expect(r.body.details.causes).toContainEqual(expect.objectContaining({ field: 'roleRef', message: expect.stringContaining('cannot change roleRef') }));
  });
});

describe('nodes (Node authorizer, NodeRestriction)', () => {
  const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  beforeAll(async () => {
    await created({ as: 'node-a', path: '/api/v1/nodes', body: node('a') });
    await created({ as: 'node-b', path: '/api/v1/nodes', body: node('b') });
    for (const s of ['used-by-b', 'unused']) await created({ path: '/api/v1/namespaces/default/secrets', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: s }, stringData: { k: 'v' } } });
    await created({
      path: '/api/v1/namespaces/default/pods',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-b' }, spec: { nodeName: 'b', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'x', env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'used-by-b', key: 'k' } } }] }] } },
    });
    await allowed('system:node:b', ['system:nodes'], { namespace: 'default', verb: 'get', resource: 'secrets', name: 'used-by-b' });
  });

  test('a node may register only itself', async () => {
    const r = await call({ as: 'node-a', method: 'POST', path: '/api/v1/nodes', body: node('c') });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('nodes "c" is forbidden: node "a" is not allowed to modify node "c"');
  });

  test('agent A changing node B, its status or its Lease is 403; its own is fine', async () => {
    const patch = (as: string, path: string) => call({ as, method: 'PATCH', path, contentType: 'application/merge-patch+json', body: { metadata: { labels: { x: 'y' } } } });
    expect((await patch('node-a', '/api/v1/nodes/b')).body.message).toBe('nodes "b" is forbidden: node "a" is not allowed to modify node "b"');
    expect((await patch('node-a', '/api/v1/nodes/b/status')).status).toBe(403);
    expect((await patch('node-a', '/api/v1/nodes/a')).status).toBe(200);
    expect((await call({ as: 'node-a', method: 'DELETE', path: '/api/v1/nodes/a' })).status).toBe(403);
    const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name } });
    await created({ path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } } }).catch(() => undefined);
    expect((await call({ as: 'node-a', method: 'POST', path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', body: lease('b') })).body.message).toBe('leases.coordination.k8s.io "b" is forbidden: can only access node lease with the same name as the requesting node');
    expect((await call({ as: 'node-a', method: 'POST', path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', body: lease('a') })).status).toBe(201);
    expect((await call({ as: 'node-a', method: 'GET', path: '/apis/coordination.k8s.io/v1/namespaces/default/leases/a' })).status).toBe(403);
  });

  test("agent A changing B's pods is 403; B may write their status and delete them", async () => {
    const status = (as: string) => call({ as, method: 'PATCH', path: '/api/v1/namespaces/default/pods/on-b/status', contentType: 'application/merge-patch+json', body: { status: { message: 'hi' } } });
    expect((await status('node-a')).body.message).toBe('pods "on-b" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself');
    expect((await status('node-b')).status).toBe(200);
    // The main resource: only skiff's host-ports annotation.
    const annotate = (as: string, annotations: Record<string, string>) => call({ as, method: 'PATCH', path: '/api/v1/namespaces/default/pods/on-b', contentType: 'application/merge-patch+json', body: { metadata: { annotations } } });
    expect((await annotate('node-b', { 'skiff.dev/host-ports': '{}' })).status).toBe(200);
    expect((await annotate('node-b', { other: 'x' })).body.message).toBe('pods "on-b" is forbidden: node "b" may only change the skiff.dev/host-ports annotation of its pods');
    expect((await annotate('node-a', { 'skiff.dev/host-ports': '{}' })).status).toBe(403);
    expect((await call({ as: 'node-a', method: 'DELETE', path: '/api/v1/namespaces/default/pods/on-b' })).body.message).toBe('pods "on-b" is forbidden: node "a" can only delete pods with spec.nodeName set to itself');
    expect((await call({ as: 'node-a', method: 'POST', path: '/api/v1/namespaces/default/pods', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } } })).status).toBe(403);
  });

  test('an agent reads a Secret its pod uses (by name, by watch too), and 403 for one none of its pods uses', async () => {
    expect((await call({ as: 'node-b', path: '/api/v1/namespaces/default/secrets/used-by-b' })).status).toBe(200);
    expect((await call({ as: 'node-b', path: '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dused-by-b' })).status).toBe(200);
    const unused = await call({ as: 'node-b', path: '/api/v1/namespaces/default/secrets/unused' });
    expect(unused.status).toBe(403);
    expect(unused.body.message).toBe('secrets "unused" is forbidden: User "system:node:b" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'b\' and this object');
    expect((await call({ as: 'node-a', path: '/api/v1/namespaces/default/secrets/used-by-b' })).status).toBe(403);
    expect((await call({ as: 'node-b', path: '/api/v1/namespaces/default/secrets' })).status).toBe(403);
    // Reads every node needs.
    for (const p of ['/api/v1/pods', '/api/v1/services', '/api/v1/nodes', '/apis/discovery.k8s.io/v1/endpointslices']) expect((await call({ as: 'node-a', path: p })).status).toBe(200);
  });

  test('a TokenRequest from a node must be bound to its own pod', async () => {
    const pod = (await call({ path: '/api/v1/namespaces/default/pods/on-b' })).body;
    const tr = (name: string) => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name, uid: pod.metadata.uid } } });
    const path = '/api/v1/namespaces/default/serviceaccounts/default/token';
    await call({ method: 'POST', path: '/api/v1/namespaces/default/serviceaccounts', body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } } });
    expect((await call({ as: 'node-b', method: 'POST', path, body: tr('on-b') })).status).toBe(201);
    expect((await call({ as: 'node-a', method: 'POST', path, body: tr('on-b') })).status).toBe(403);
    expect((await call({ as: 'node-b', method: 'POST', path, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } })).body.message).toBe('serviceaccounts "default" is forbidden: node requested token not bound to a pod');
  });
});

describe('review APIs and kubectl auth can-i', () => {
  test('can-i answers yes and no per the roles', async () => {
    expect(await kubectl('viewer', ['auth', 'can-i', 'list', 'pods'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await kubectl('viewer', ['auth', 'can-i', 'create', 'pods'])).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(await kubectl('viewer', ['auth', 'can-i', 'list', 'pods', '-n', 'team'])).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(await kubectl('viewer', ['auth', 'can-i', 'get', '/version'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await kubectl(undefined, ['auth', 'can-i', '*', '*'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await kubectl('node-b', ['auth', 'can-i', 'get', 'secret/used-by-b'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    // kubectl shows the authorizer's reason after the no.
    expect(await kubectl('node-b', ['auth', 'can-i', 'get', 'secret/unused'])).toMatchObject({ code: 1, stdout: "no - no relationship found between node 'b' and this object\n" });
  });

  test('can-i --list shows the rules', async () => {
    const r = await kubectl('viewer', ['auth', 'can-i', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
    expect(r.stdout).toMatch(/\npods\s+\[\]\s+\[\]\s+\[get list watch\]\n/);
    expect(r.stdout).toMatch(/\nselfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]\n/);
    expect(r.stdout).toMatch(/\n\s+\[\/version\]\s+\[\]\s+\[get\]\n/);
    expect((await kubectl('viewer', ['auth', 'can-i', '--list', '-n', 'team'])).stdout).not.toMatch(/\npods\s/);
  });

  test('SubjectAccessReview asks about another user; it needs the right to', async () => {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'viewer', resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } } };
    const r = await call({ method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body });
    expect(r.status).toBe(201);
    expect(r.body.status).toEqual({ allowed: true });
    const no = await call({ method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body: { ...body, spec: { ...body.spec, resourceAttributes: { ...body.spec.resourceAttributes, verb: 'delete' } } } });
    expect(no.body.status).toEqual({ allowed: false });
    expect((await call({ as: 'viewer', method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body })).status).toBe(403);
    const bad = await call({ method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body: { ...body, spec: { user: 'viewer' } } });
    expect(bad.status).toBe(422);
  });
});

describe('impersonation', () => {
  test('allowed for whom may impersonate: the request acts as that user', async () => {
    expect(await kubectl(undefined, ['auth', 'whoami', '--as', 'viewer', '--as-group', 'g1', '-o', 'jsonpath={.status.userInfo}'])).toMatchObject({ code: 0, stdout: '{"groups":["g1","system:authenticated"],"username":"viewer"}' });
    expect((await kubectl('impersonator', ['get', 'pods', '--as', 'viewer'])).code).toBe(0);
    // As viewer, what viewer may not do stays refused.
    expect((await kubectl('impersonator', ['create', 'configmap', 'y', '--as', 'viewer'])).stderr).toContain('User "viewer" cannot create resource "configmaps"');
    const sa = await call({ path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, headers: { 'impersonate-user': 'system:serviceaccount:default:robot' } });
    expect(sa.body.status.userInfo).toEqual({ username: 'system:serviceaccount:default:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] });
  });

  test('refused for others: 403 naming what may not be impersonated', async () => {
    const r = await kubectl('viewer', ['get', 'pods', '--as', 'skiff-admin']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('users "skiff-admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope');
    expect((await kubectl('impersonator', ['get', 'pods', '--as', 'team-admin'])).stderr).toContain('users "team-admin" is forbidden: User "impersonator" cannot impersonate resource "users"');
    expect((await kubectl('impersonator', ['get', 'pods', '--as', 'viewer', '--as-group', 'system:masters'])).stderr).toContain('groups "system:masters" is forbidden: User "impersonator" cannot impersonate resource "groups"');
    const groupOnly = await call({ as: 'impersonator', path: '/api/v1/namespaces/default/pods', headers: { 'impersonate-group': 'system:masters' } });
    expect(groupOnly.status).toBe(400);
  });
});

describe('every path in', () => {
  test('an exec upgrade needs create on pods/exec', async () => {
    const url = new URL(server.url);
    const upgrade = (as: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: '/api/v1/namespaces/default/pods/on-b/exec?command=true&stdout=true',
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-protocol': 'v5.channel.k8s.io' },
          ca: server.tls!.ca,
          cert: certs[as].cert,
          key: certs[as].key,
          agent: false,
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
        });
        req.on('upgrade', (res, socket) => {
          socket.destroy();
          resolve({ status: res.statusCode!, body: '' });
        });
        req.on('error', reject);
        req.end();
      });
    const denied = await upgrade('viewer');
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).message).toBe('pods "on-b" is forbidden: User "viewer" cannot get resource "pods/exec" in API group "" in the namespace "default"');
    // team-admin may exec in team only.
    expect((await upgrade('team-admin')).status).toBe(403);
  });
});
