// Authentication against a real server over HTTPS (issue 12 §1): every refusal path, and every
// way in (client certificates, the static token file, ServiceAccount tokens from TokenRequest,
// bootstrap tokens), checked by asking the server who it takes the caller for.
import { request } from 'node:https';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '@skiff/apiserver/testing';
import { createCertificateAuthority, issueCertificate, parseStaticTokens } from '../src/auth/index.ts';
import { createPrivateKey } from 'node:crypto';
import { httpsCall, type HttpsResult } from './support/https.ts';

interface Call {
  path: string;
  method?: string;
  body?: unknown;
  cert?: { cert: string; key: string };
  token?: string;
}

let server: TestServer;
const STATIC_TOKEN = 'static-token-0123456789';

beforeAll(async () => {
  server = await startTestServer({
    https: true,
    authentication: { staticTokens: parseStaticTokens(`${STATIC_TOKEN},alice,uid-alice,"devs,ops"\n`), tokenCacheMs: 0 },
  });
});
afterAll(() => server.close());

async function call(c: Call): Promise<Pick<HttpsResult, 'status' | 'body'>> {
  const { status, body } = await httpsCall(server, c);
  return { status, body };
}

const whoami = async (c: Omit<Call, 'path'>) => {
  const r = await call({ ...c, path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', method: 'POST', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  return r.status === 201 ? r.body.status.userInfo : r;
};

const expect401 = (r: { status: number; body: any }) => {
  expect(r.status).toBe(401);
  expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
};

describe('without credentials', () => {
  test('the API is 401', async () => {
    expect401(await call({ path: '/api/v1/namespaces' }));
    expect401(await call({ path: '/api/v1/namespaces/default/pods', method: 'POST', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } } }));
    expect401(await call({ path: '/apis' }));
    expect401(await call({ path: '/metrics' }));
  });

  test('health, version and the CA download are public', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/version']) expect((await call({ path })).status).toBe(200);
    // Authenticated as system:anonymous there, but system:public-info-viewer names the top paths
    // only: the individual checks are 403 to anonymous users, as in Kubernetes (ADR 0018).
    expect((await call({ path: '/readyz/ping' })).status).toBe(403);
    const ca = await call({ path: '/cacerts' });
    expect(ca.status).toBe(200);
    expect(ca.body).toBe(server.tls!.ca);
  });

  test('bad credentials are 401 even on a public path', async () => {
    expect401(await call({ path: '/healthz', token: 'nope' }));
  });
});

describe('client certificates', () => {
  test('the admin certificate is CN with O=system:masters', async () => {
    expect(await whoami({ cert: server.tls!.admin })).toEqual({ username: 'skiff-admin', groups: ['system:masters', 'system:authenticated'] });
    expect((await call({ path: '/api/v1/namespaces', cert: server.tls!.admin })).status).toBe(200);
  });

  test('a node certificate names the node', async () => {
    const node = await server.tls!.issue({ commonName: 'system:node:n1', organizations: ['system:nodes'] });
    expect(await whoami({ cert: node })).toEqual({ username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] });
  });

  test('a certificate from another CA is 401', async () => {
    const other = await createCertificateAuthority('other-ca');
    const forged = await issueCertificate({ cert: other.cert, key: createPrivateKey(other.key) }, { commonName: 'skiff-admin', organizations: ['system:masters'], usage: 'client' });
    expect401(await call({ path: '/api/v1/namespaces', cert: forged }));
  });

  test('an expired certificate is 401', async () => {
    const expired = await server.tls!.issue({ commonName: 'old', organizations: ['system:masters'], validDays: 1, now: new Date(Date.now() - 3 * 86_400_000) });
    expect401(await call({ path: '/api/v1/namespaces', cert: expired }));
  });

  test('a client that trusts another CA refuses the server before sending anything', async () => {
    const other = await createCertificateAuthority('other-ca');
    const url = new URL(server.url);
    const err = await new Promise<Error>((resolve) => {
      request({ host: url.hostname, port: url.port, path: '/api/v1/namespaces', ca: other.cert, headers: { authorization: `Bearer ${STATIC_TOKEN}` }, agent: false }, () => resolve(new Error('answered'))).on('error', resolve).end();
    });
    expect((err as NodeJS.ErrnoException).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
  });
});

describe('static token file', () => {
  test('a listed token is its user, uid and groups', async () => {
    expect(await whoami({ token: STATIC_TOKEN })).toEqual({ username: 'alice', uid: 'uid-alice', groups: ['devs', 'ops', 'system:authenticated'] });
  });

  test('an unknown token, or a malformed Authorization header, is 401', async () => {
    expect401(await call({ path: '/api/v1/namespaces', token: `${STATIC_TOKEN}x` }));
    const url = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: '/api/v1/namespaces', headers: { authorization: `Basic ${STATIC_TOKEN}` }, ca: server.tls!.ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject).end();
    });
    expect(status).toBe(401);
  });
});

describe('ServiceAccount tokens', () => {
  const admin = () => server.tls!.admin;
  const tokenFor = async (ns: string, sa: string, spec: Record<string, unknown> = {}) =>
    call({ path: `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, method: 'POST', cert: admin(), body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });

  test('TokenRequest gives a token that authenticates as the ServiceAccount', async () => {
    expect((await call({ path: '/api/v1/namespaces/default/serviceaccounts', method: 'POST', cert: admin(), body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } } })).status).toBe(201);
    const r = await tokenFor('default', 'robot', { expirationSeconds: 600 });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 600 } });
    const exp = Date.parse(r.body.status.expirationTimestamp);
    expect(Math.abs(exp - (Date.now() + 600_000))).toBeLessThan(5_000);
    const me = await whoami({ token: r.body.status.token });
    expect(me).toMatchObject({ username: 'system:serviceaccount:default:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] });
    expect(me.extra['authentication.kubernetes.io/credential-id'][0]).toMatch(/^JTI=/);
  });

  test('refusals: unknown ServiceAccount 404, too short 422, another audience 401', async () => {
    expect((await tokenFor('default', 'ghost')).status).toBe(404);
    const short = await tokenFor('default', 'robot', { expirationSeconds: 60 });
    expect(short.status).toBe(422);
    expect(short.body.details.causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: 'Invalid value: may not specify a duration less than 10 minutes' }]);
    const vault = await tokenFor('default', 'robot', { audiences: ['vault'] });
    expect(vault.status).toBe(201);
    expect401(await call({ path: '/api/v1/namespaces', token: vault.body.status.token }));
  });

  test('a token stops working when its ServiceAccount is deleted, or its bound pod', async () => {
    await call({ path: '/api/v1/namespaces/default/serviceaccounts', method: 'POST', cert: admin(), body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'short-lived' } } });
    const t = (await tokenFor('default', 'short-lived')).body.status.token;
    // Authenticated (whoami answers), though not authorized to list namespaces: 403, not 401.
    expect((await whoami({ token: t })).username).toBe('system:serviceaccount:default:short-lived');
    expect((await call({ path: '/api/v1/namespaces', token: t })).status).toBe(403);
    expect((await call({ path: '/api/v1/namespaces/default/serviceaccounts/short-lived', method: 'DELETE', cert: admin() })).status).toBe(200);
    expect401(await call({ path: '/api/v1/namespaces', token: t }));

    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const created = await call({ path: '/api/v1/namespaces/default/pods', method: 'POST', cert: admin(), body: pod });
    expect(created.status).toBe(201);
    const bound = await tokenFor('default', 'robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: created.body.metadata.uid } });
    expect(bound.status).toBe(201);
    expect((await whoami({ token: bound.body.status.token })).extra['authentication.kubernetes.io/pod-name']).toEqual(['bound']);
    await call({ path: '/api/v1/namespaces/default/pods/bound', method: 'DELETE', cert: admin(), body: { gracePeriodSeconds: 0 } });
    expect401(await call({ path: '/api/v1/namespaces', token: bound.body.status.token }));
  });

  test('an expired token is 401', async () => {
    const sa = (await call({ path: '/api/v1/namespaces/default/serviceaccounts/robot', cert: admin() })).body;
    const { token } = await server.app.skiff.serviceAccountTokens!.issue(
      { namespace: 'default', serviceAccount: { name: 'robot', uid: sa.metadata.uid }, audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 600 },
      Date.now() - 601_000,
    );
    expect401(await call({ path: '/api/v1/namespaces', token }));
  });

  test('a token signed with another key is 401', async () => {
    const { ServiceAccountTokens } = await import('../src/auth/index.ts');
    const { generateKeyPairSync } = await import('node:crypto');
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const sa = (await call({ path: '/api/v1/namespaces/default/serviceaccounts/robot', cert: admin() })).body;
    const { token } = await new ServiceAccountTokens(key).issue({ namespace: 'default', serviceAccount: { name: 'robot', uid: sa.metadata.uid }, audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 600 });
    expect401(await call({ path: '/api/v1/namespaces', token }));
  });
});

describe('bootstrap tokens', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = (id: string, tokenSecret: string, expiration?: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'bootstrap.kubernetes.io/token',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    data: {
      'token-id': b64(id),
      'token-secret': b64(tokenSecret),
      'usage-bootstrap-authentication': b64('true'),
      'auth-extra-groups': b64('system:bootstrappers:skiff:agents'),
      ...(expiration ? { expiration: b64(expiration) } : {}),
    },
  });
  const create = (s: object) => call({ path: '/api/v1/namespaces/kube-system/secrets', method: 'POST', cert: server.tls!.admin, body: s });

  test('a valid token is system:bootstrap:<id>; a deleted one is 401', async () => {
    expect((await create(secret('abcdef', '0123456789abcdef', new Date(Date.now() + 3_600_000).toISOString()))).status).toBe(201);
    expect(await whoami({ token: 'abcdef.0123456789abcdef' })).toEqual({ username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:skiff:agents', 'system:authenticated'] });
    expect401(await call({ path: '/api/v1/namespaces', token: 'abcdef.0123456789abcdeX' }));
    expect401(await call({ path: '/api/v1/namespaces', token: 'abcdef.0123456789abcdee' }));
    await call({ path: '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef', method: 'DELETE', cert: server.tls!.admin });
    expect401(await call({ path: '/api/v1/namespaces', token: 'abcdef.0123456789abcdef' }));
  });

  test('an expired token is 401', async () => {
    expect((await create(secret('expird', '0123456789abcdef', new Date(Date.now() - 1000).toISOString()))).status).toBe(201);
    expect401(await call({ path: '/api/v1/namespaces', token: 'expird.0123456789abcdef' }));
  });
});

describe('real clients with the admin kubeconfig, unchanged', () => {
  test('kubectl lists and whoami over HTTPS with the client certificate; --token works too', async () => {
    const run = promisify(execFile);
    const cache = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
    try {
      const env = { ...process.env, KUBECONFIG: server.tls!.kubeconfig };
      const ns = await run('/usr/bin/kubectl', ['get', 'namespaces', '-o', 'name', '--cache-dir', cache], { env });
      expect(ns.stdout).toContain('namespace/default');
      const me = await run('/usr/bin/kubectl', ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}', '--cache-dir', cache], { env });
      expect(me.stdout).toBe('skiff-admin');
      const alice = await run('/usr/bin/kubectl', ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}', '--cache-dir', cache, '--server', server.url, '--certificate-authority', join(server.tls!.pki.dir, 'ca.crt'), '--token', STATIC_TOKEN], { env: { ...process.env, KUBECONFIG: '/dev/null' } });
      expect(alice.stdout).toBe('alice');
      await expect(run('/usr/bin/kubectl', ['get', 'ns', '--cache-dir', cache, '--server', server.url, '--certificate-authority', join(server.tls!.pki.dir, 'ca.crt'), '--token', 'wrong'], { env: { ...process.env, KUBECONFIG: '/dev/null' } })).rejects.toMatchObject({
        stderr: expect.stringMatching(/must be logged in|Unauthorized/),
      });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test('@kubernetes/client-node with the kubeconfig', async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.tls!.kubeconfig);
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('default');
  });
});

describe('the plain-HTTP server of tests', () => {
  test('is system:unsecured (as the old insecure port)', async () => {
    const plain = await startTestServer();
    try {
      const res = await fetch(`${plain.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(((await res.json()) as any).status.userInfo).toEqual({ username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] });
    } finally {
      await plain.close();
    }
  });
});
