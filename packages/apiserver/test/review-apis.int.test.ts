// The review APIs over HTTPS with real kubectl (ADR 0018): authorization.k8s.io/v1 and
// authentication.k8s.io/v1 are in discovery (`kubectl api-resources`, `kubectl create -f` of a
// review), `kubectl auth can-i` and `whoami` still work, and TokenReview tells an allowed caller
// who a token is — ServiceAccount tokens with their audiences, static and bootstrap tokens — and
// refuses everyone else.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { bootstrapTokenSecret, newBootstrapToken } from '@skiff/api';
import { until } from '@skiff/apiserver/testing';
import { parseStaticTokens, renderKubeconfig, type KeyPair } from '../src/auth/index.ts';
import { useTestServer } from './support/server.ts';
import { httpsCall } from './support/https.ts';
import { requestAttributes } from '../src/authz/attributes.ts';

const run = promisify(execFile);
const STATIC_TOKEN = 'static-token-for-review-0123';
const { server } = useTestServer({ https: true, authentication: { staticTokens: parseStaticTokens(`${STATIC_TOKEN},carol,uid-carol,"ops"\n`) } });
const cache = mkdtempSync(join(tmpdir(), 'skiff-reviews-'));
const users: Record<string, KeyPair> = {};

beforeAll(async () => {
  // reviewer: may review tokens (system:auth-delegator, as a webhook or proxy gets it); nobody: nothing.
  users.reviewer = await server.tls!.issue({ commonName: 'reviewer', organizations: ['token-reviewers'] });
  users.nobody = await server.tls!.issue({ commonName: 'nobody' });
  const rbac = 'rbac.authorization.k8s.io';
  const bound = await asAdmin('POST', `/apis/${rbac}/v1/clusterrolebindings`, {
    apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'token-reviewers' },
    roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: [{ apiGroup: rbac, kind: 'Group', name: 'token-reviewers' }],
  });
  expect(bound.status).toBe(201);
  // The authorizer learns of it from a watch (on etcd a moment later).
  await until('the reviewer may create tokenreviews', async () => server.app.skiff.authorizer.allows(requestAttributes({ username: 'reviewer', groups: ['token-reviewers'] }, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews')), { timeoutMs: 5000 });
}, 30_000);
afterAll(() => rmSync(cache, { recursive: true, force: true }));

async function kubectl(user: string | undefined, args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(cache, `${user ?? 'admin'}.kubeconfig`);
  writeFileSync(file, renderKubeconfig({ server: server.url, ca: server.tls!.ca, user: user ? users[user] : server.tls!.admin }), { mode: 0o600 });
  const p = run('/usr/bin/kubectl', [...args, '--kubeconfig', file, '--cache-dir', join(cache, 'http')]);
  if (stdin !== undefined) {
    p.child.stdin!.end(stdin);
  }
  try {
    const r = await p;
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const asAdmin = (method: string, path: string, body?: unknown) => httpsCall(server, { method, path, body, cert: server.tls!.admin });
const review = (as: string, spec: Record<string, unknown>) =>
  httpsCall(server, { method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', cert: users[as], body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec } });

async function serviceAccountToken(name: string, audiences?: string[]): Promise<string> {
  const sa = await asAdmin('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  expect([201, 409]).toContain(sa.status);
  const tr = await asAdmin('POST', `/api/v1/namespaces/default/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: audiences ? { audiences } : {} });
  expect(tr.status).toBe(201);
  return tr.body.status.token;
}

describe('discovery', () => {
  test('kubectl api-resources lists the review APIs, create-only', async () => {
    const authz = await kubectl(undefined, ['api-resources', '--api-group=authorization.k8s.io', '-o', 'wide']);
    expect(authz.code).toBe(0);
    const rows = authz.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ['localsubjectaccessreviews', 'authorization.k8s.io/v1', 'true', 'LocalSubjectAccessReview', 'create'],
      ['selfsubjectaccessreviews', 'authorization.k8s.io/v1', 'false', 'SelfSubjectAccessReview', 'create'],
      ['selfsubjectrulesreviews', 'authorization.k8s.io/v1', 'false', 'SelfSubjectRulesReview', 'create'],
      ['subjectaccessreviews', 'authorization.k8s.io/v1', 'false', 'SubjectAccessReview', 'create'],
    ]);
    const authn = await kubectl(undefined, ['api-resources', '--api-group=authentication.k8s.io']);
    expect(authn.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/))).toEqual([
      ['selfsubjectreviews', 'authentication.k8s.io/v1', 'false', 'SelfSubjectReview'],
      ['tokenreviews', 'authentication.k8s.io/v1', 'false', 'TokenReview'],
    ]);
  });

  test('kubectl explain reads their schemas', async () => {
    const r = await kubectl(undefined, ['explain', 'tokenreview.status.audiences']);
    expect(r.stdout).toMatch(/KIND:\s+TokenReview/);
    expect(r.stdout).toContain('FIELD: audiences <[]string>');
  });

  test('the groups and their resource lists are served in the legacy forms too', async () => {
    const group = await asAdmin('GET', '/apis/authorization.k8s.io');
    expect(group.body).toMatchObject({ kind: 'APIGroup', name: 'authorization.k8s.io', preferredVersion: { groupVersion: 'authorization.k8s.io/v1', version: 'v1' } });
    const list = await asAdmin('GET', '/apis/authentication.k8s.io/v1');
    expect(list.body.resources).toContainEqual({ name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] });
  });

  test('a review from a file: kubectl create -f, as the admin; create --raw, as an ordinary user', async () => {
    const sar = `apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n  user: nobody\n  resourceAttributes:\n    namespace: default\n    verb: list\n    resource: pods\n`;
    const made = await kubectl(undefined, ['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'], sar);
    expect(made).toMatchObject({ code: 0, stdout: 'false' });
    const self = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' } } });
    const raw = await kubectl('nobody', ['create', '--raw', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '-f', '-'], self);
    expect(raw.code).toBe(0);
    expect(JSON.parse(raw.stdout).status).toEqual({ allowed: true });
  });

  test('kubectl auth can-i and whoami still work', async () => {
    expect((await kubectl('nobody', ['auth', 'can-i', 'list', 'pods'])).stdout.trim()).toBe('no');
    expect((await kubectl('reviewer', ['auth', 'can-i', 'create', 'tokenreviews.authentication.k8s.io'])).stdout.trim()).toBe('yes');
    const who = await kubectl('reviewer', ['auth', 'whoami', '-o', 'json']);
    expect(JSON.parse(who.stdout).status.userInfo).toEqual({ username: 'reviewer', groups: ['token-reviewers', 'system:authenticated'] });
  });
});

// kubectl validates a kind whose OpenAPI v3 document has no PATCH operation (every review kind) on
// the client, against the definitions of /openapi/v2 (openapi/v2.ts): with validation on (the
// default, strict), each review from a file is checked there and created, and a field the kind does
// not have is refused by kubectl itself, before anything is sent.
describe('kubectl create -f of each review kind, validated', () => {
  const reviews: [string, string, (status: any) => void][] = [
    ['TokenReview', `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${STATIC_TOKEN}\n`, (s) => expect(s).toMatchObject({ authenticated: true, user: { username: 'carol', uid: 'uid-carol', groups: ['ops', 'system:authenticated'] } })],
    ['SubjectAccessReview', 'apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n  user: nobody\n  resourceAttributes:\n    namespace: default\n    verb: list\n    resource: pods\n', (s) => expect(s).toEqual({ allowed: false })],
    ['LocalSubjectAccessReview', 'apiVersion: authorization.k8s.io/v1\nkind: LocalSubjectAccessReview\nmetadata:\n  namespace: default\nspec:\n  user: reviewer\n  groups: [token-reviewers]\n  resourceAttributes:\n    namespace: default\n    verb: create\n    group: authentication.k8s.io\n    resource: tokenreviews\n', (s) => expect(s).toMatchObject({ allowed: true })],
    ['SelfSubjectAccessReview', 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  resourceAttributes:\n    verb: delete\n    resource: nodes\n', (s) => expect(s).toMatchObject({ allowed: true })],
    ['SelfSubjectRulesReview', 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectRulesReview\nspec:\n  namespace: default\n', (s) => expect(s).toMatchObject({ incomplete: false, resourceRules: expect.arrayContaining([expect.objectContaining({ verbs: ['*'] })]) })],
    ['SelfSubjectReview', 'apiVersion: authentication.k8s.io/v1\nkind: SelfSubjectReview\n', (s) => expect(s.userInfo).toMatchObject({ groups: expect.arrayContaining(['system:masters']) })],
  ];

  test.each(reviews)('%s: kubectl create -f -o yaml answers with its status', async (kind, file, checkStatus) => {
    const r = await kubectl(undefined, ['create', '-f', '-', '-o', 'yaml'], file);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const made = parseYaml(r.stdout);
    expect(made.kind).toBe(kind);
    checkStatus(made.status);
  });

  test('a field the kind does not have is refused by kubectl, naming it', async () => {
    const r = await kubectl(undefined, ['create', '-f', '-', '-o', 'yaml'], 'apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: x\n  tokn: y\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown field "tokn" in io.k8s.api.authentication.v1.TokenReviewSpec');
    expect(r.stdout).toBe('');
  });
});

describe('TokenReview', () => {
  test('a ServiceAccount token is its ServiceAccount, for the API server audience', async () => {
    const token = await serviceAccountToken('robot');
    const r = await review('reviewer', { token });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1' });
    expect(r.body.status).toMatchObject({
      authenticated: true,
      audiences: ['https://kubernetes.default.svc.cluster.local'],
      user: { username: 'system:serviceaccount:default:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] },
    });
    expect(r.body.status.user.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.status.user.extra['authentication.kubernetes.io/credential-id'][0]).toMatch(/^JTI=/);
  });

  test("a token minted for another audience is good for that audience only, and the status names it", async () => {
    const token = await serviceAccountToken('vault-client', ['vault']);
    const forVault = await review('reviewer', { token, audiences: ['other', 'vault'] });
    expect(forVault.body.status).toMatchObject({ authenticated: true, audiences: ['vault'], user: { username: 'system:serviceaccount:default:vault-client' } });
    // Not for the API server (the default audience), nor for an audience it does not name.
    expect((await review('reviewer', { token })).body.status).toEqual({ user: {}, error: 'invalid bearer token' });
    expect((await review('reviewer', { token, audiences: ['other'] })).body.status.authenticated).toBeUndefined();
    // And the API server itself does not take it.
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/pods', token })).status).toBe(401);
  });

  test('static and bootstrap tokens, for the API server audience only', async () => {
    const st = await review('reviewer', { token: STATIC_TOKEN });
    expect(st.body.status).toEqual({ authenticated: true, audiences: ['https://kubernetes.default.svc.cluster.local'], user: { username: 'carol', uid: 'uid-carol', groups: ['ops', 'system:authenticated'] } });
    expect((await review('reviewer', { token: STATIC_TOKEN, audiences: ['vault'] })).body.status).toEqual({ user: {} });
    const boot = newBootstrapToken();
    expect((await asAdmin('POST', '/api/v1/namespaces/kube-system/secrets', bootstrapTokenSecret({ id: boot.id, secret: boot.secret, ttlSeconds: 600 }))).status).toBe(201);
    const b = await review('reviewer', { token: boot.token });
    expect(b.body.status).toMatchObject({ authenticated: true, user: { username: `system:bootstrap:${boot.id}`, groups: ['system:bootstrappers', 'system:bootstrappers:skiff:default-node-token', 'system:authenticated'] } });
  });

  test('a token that does not authenticate: not authenticated, with an error when it looks like ours', async () => {
    expect((await review('reviewer', { token: 'no-such-token' })).body.status).toEqual({ user: {} });
    expect((await review('reviewer', { token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' })).body.status).toEqual({ user: {}, error: 'invalid bearer token' });
  });

  test('a deleted ServiceAccount takes its tokens with it', async () => {
    const token = await serviceAccountToken('short-lived');
    expect((await review('reviewer', { token })).body.status.authenticated).toBe(true);
    expect((await asAdmin('DELETE', '/api/v1/namespaces/default/serviceaccounts/short-lived')).status).toBe(200);
    await until('the token of a deleted ServiceAccount is refused', async () => (await review('reviewer', { token })).body.status.authenticated === undefined, { timeoutMs: 5000 });
  });

  test('an empty token is 400, a malformed review 400/422', async () => {
    const empty = await review('reviewer', { token: '' });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'token is required for TokenReview in authentication' });
    expect((await review('reviewer', {})).status).toBe(400);
    const auds = await review('reviewer', { token: STATIC_TOKEN, audiences: 'vault' });
    expect(auds.status).toBe(422);
    expect(auds.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.audiences', message: 'Invalid value: audiences must be a list of strings' }]);
    const kind = await httpsCall(server, { method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', cert: users.reviewer, body: { apiVersion: 'v1', kind: 'Pod', spec: { token: 'x' } } });
    expect(kind.status).toBe(400);
  });

  test('a caller without create tokenreviews is 403, before its body is read', async () => {
    const r = await review('nobody', { token: STATIC_TOKEN });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('tokenreviews.authentication.k8s.io is forbidden: User "nobody" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope');
    const anonymous = await httpsCall(server, { method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body: { spec: { token: STATIC_TOKEN } } });
    expect(anonymous.status).toBe(401);
  });

  test('kubectl create -f of a TokenReview, as the reviewer', async () => {
    const tr = `apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: ${STATIC_TOKEN}\n`;
    const r = await kubectl('reviewer', ['create', '-f', '-', '-o', 'jsonpath={.status.user.username}'], tr);
    expect(r).toMatchObject({ code: 0, stdout: 'carol' });
  });
});
