// --authorization-mode against real servers over HTTPS (ADR 0018): each chain decides as
// kube-apiserver's does. AlwaysAllow lets every authenticated user through but not anonymous ones,
// and NodeRestriction (admission, not a mode) still holds; AlwaysDeny forbids all but
// system:masters and leaves later modes their say; a chain without Node gives agents nothing
// beyond RBAC, one without RBAC ignores every binding. Real kubectl reads `auth can-i` from each.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { renderKubeconfig, type KeyPair } from '../src/auth/index.ts';
import type { AuthorizationMode } from '../src/authz/modes.ts';
import { httpsCall } from './support/https.ts';

const run = promisify(execFile);
const RBAC = 'rbac.authorization.k8s.io';
const cache = mkdtempSync(join(tmpdir(), 'skiff-authz-modes-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

interface Cluster {
  server: TestServer;
  users: Record<string, KeyPair>;
}

/** A server with this chain; `dev` has no binding, `viewer` is bound to view in default, `node-a`/`node-b` are nodes. */
function useServer(modes: AuthorizationMode[]): Cluster {
  const c = { users: {} } as Cluster;
  beforeAll(async () => {
    c.server = await startTestServer({ https: true, authorizationModes: modes });
    c.users.dev = await c.server.tls!.issue({ commonName: 'dev' });
    c.users.viewer = await c.server.tls!.issue({ commonName: 'viewer' });
    for (const n of ['a', 'b']) c.users[`node-${n}`] = await c.server.tls!.issue({ commonName: `system:node:${n}`, organizations: ['system:nodes'] });
    const bind = await as(c, undefined, 'POST', `/apis/${RBAC}/v1/namespaces/default/rolebindings`, {
      apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'viewer' },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: RBAC, kind: 'User', name: 'viewer' }],
    });
    expect(bind.status).toBe(201);
    for (const n of ['a', 'b']) expect((await as(c, undefined, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } })).status).toBe(201);
    // The RBAC index learns of the binding from a watch (kept whatever the chain): wait until it has it.
    await until('the viewer binding is indexed', async () => c.server.app.skiff.authorizer.rbac.rulesFor({ username: 'viewer', groups: [] }, 'default').length > 0, { timeoutMs: 5000 });
  }, 30_000);
  afterAll(() => c.server?.close());
  return c;
}

/** An HTTPS request as a user (its client certificate), the admin when undefined, or anonymous with `null`. */
async function as(c: Cluster, user: string | undefined | null, method: string, path: string, body?: unknown) {
  const cert = user === null ? undefined : user === undefined ? c.server.tls!.admin : c.users[user];
  return httpsCall(c.server, { method, path, body, cert });
}

async function kubectl(c: Cluster, user: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(cache, `${c.server.port}-${user}.kubeconfig`);
  writeFileSync(file, renderKubeconfig({ server: c.server.url, ca: c.server.tls!.ca, user: c.users[user] }), { mode: 0o600 });
  try {
    const r = await run('/usr/bin/kubectl', [...args, '--kubeconfig', file, '--cache-dir', join(cache, `http-${c.server.port}`)]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('AlwaysAllow', () => {
  const c = useServer(['AlwaysAllow']);

  test('every authenticated user may do anything', async () => {
    expect((await as(c, 'dev', 'GET', '/api/v1/namespaces/kube-system/secrets')).status).toBe(200);
    const made = await as(c, 'dev', 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-dev' } });
    expect(made.status).toBe(201);
    const can = await kubectl(c, 'dev', ['auth', 'can-i', 'delete', 'nodes']);
    expect(can.stdout.trim()).toBe('yes');
    const list = await kubectl(c, 'dev', ['auth', 'can-i', '--list']);
    expect(list.stdout).toMatch(/\n\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
  });

  test('anonymous requests are still 401', async () => {
    const r = await as(c, null, 'GET', '/api/v1/namespaces/default/configmaps');
    expect(r.status).toBe(401);
    expect(r.body.reason).toBe('Unauthorized');
  });

  test('NodeRestriction still keeps a node to its own objects (admission, not a mode)', async () => {
    const r = await httpsCall(c.server, { method: 'PATCH', path: '/api/v1/nodes/b', body: { metadata: { labels: { x: 'y' } } }, contentType: 'application/merge-patch+json', cert: c.users['node-a'] });
    expect(r.status).toBe(403);
    expect(r.body.message).toContain('node "a" is not allowed to modify node "b"');
  });
});

describe('AlwaysDeny', () => {
  const c = useServer(['AlwaysDeny']);

  test('every user but system:masters is forbidden, with its reason', async () => {
    const r = await as(c, 'viewer', 'GET', '/api/v1/namespaces/default/pods');
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default": Everything is forbidden.');
    expect((await as(c, 'dev', 'GET', '/apis')).status).toBe(403);
    expect((await as(c, 'node-a', 'GET', '/api/v1/nodes/a')).status).toBe(403);
    expect((await as(c, undefined, 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
  });

  test('a SubjectAccessReview (by the admin) says no with the reason; the rules review lists nothing', async () => {
    const sar = await as(c, undefined, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'viewer', groups: ['system:authenticated'], resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
    });
    expect(sar.body.status).toEqual({ allowed: false, reason: 'Everything is forbidden.' });
    expect(c.server.app.skiff.authorizer.rulesReview({ username: 'viewer', groups: ['system:authenticated'] }, 'default')).toEqual({ rules: [], incomplete: false });
  });
});

describe('AlwaysDeny,RBAC: AlwaysDeny has no opinion, so RBAC still decides', () => {
  const c = useServer(['AlwaysDeny', 'RBAC']);

  test('the viewer may read pods, and may not create them (both reasons empty or given)', async () => {
    expect((await as(c, 'viewer', 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    const r = await as(c, 'viewer', 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default": Everything is forbidden.');
  });
});

describe('RBAC without Node', () => {
  const c = useServer(['RBAC']);

  test('a node gets nothing beyond RBAC: it cannot read pods or nodes', async () => {
    const r = await as(c, 'node-a', 'GET', '/api/v1/nodes/a');
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('nodes "a" is forbidden: User "system:node:a" cannot get resource "nodes" in API group "" at the cluster scope');
    expect((await kubectl(c, 'node-a', ['auth', 'can-i', 'list', 'pods'])).stdout.trim()).toBe('no');
  });

  test('RBAC bindings still apply', async () => {
    expect((await as(c, 'viewer', 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
  });
});

describe('Node without RBAC', () => {
  const c = useServer(['Node']);

  test('bindings grant nothing: the viewer is forbidden', async () => {
    const r = await as(c, 'viewer', 'GET', '/api/v1/namespaces/default/pods');
    expect(r.status).toBe(403);
    // Not even discovery: system:discovery's binding is RBAC's too. kubectl 1.32 says it as it
    // does against such a kube-apiserver (its discovery client drops the Status' message).
    const got = await kubectl(c, 'viewer', ['get', 'pods']);
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('Error from server (Forbidden)');
    expect((await as(c, 'viewer', 'GET', '/api')).body.message).toBe('forbidden: User "viewer" cannot get path "/api"');
  });

  test("a node keeps the Node authorizer's rules", async () => {
    expect((await as(c, 'node-a', 'GET', '/api/v1/nodes/a')).status).toBe(200);
    expect((await as(c, 'node-a', 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
    expect((await as(c, 'node-a', 'GET', '/api/v1/namespaces/default/secrets/none')).status).toBe(403);
  });
});
