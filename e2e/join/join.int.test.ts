// Joining hosts (issue 12 §3, ADR 0019), against a real API server over HTTPS with the controller
// manager's CSR approver and signer (the cluster CA's key), and node agents on the simulated
// runtime (no Docker): a bootstrap token's join string, the CA check before anything secret is
// sent, the node's CSR approved and signed, the Node registered with the node's own certificate,
// a pod run on it and its logs read through the API server over mutual TLS; and every refusal:
// a wrong CA hash (the token never reaches the server), an expired or deleted token (401), a
// second host taking a registered name, CSRs a node may not have, a client of the agent's
// endpoint that is not the API server; and the renewal of the node's certificate.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  bootstrapTokenSecret,
  caHash,
  CERTIFICATE_SIGNING_REQUESTS,
  certificateInfo,
  createCertificateAuthority,
  createCertificateRequest,
  formatJoinString,
  issuedBy,
  KUBELET_CLIENT_SIGNER,
  KUBELET_CLIENT_USAGES,
  LEASES,
  newBootstrapToken,
  NODES,
  PODS,
  SECRETS,
  type KubeObject,
} from '@skiff/api';
import { IDENTITY_FILES, JoinError, joinCluster, SimRuntime, startAgent, type Agent } from '@skiff/agent';
import { until } from '@skiff/apiserver/testing';
import { ApiError, RestClient, subjectAccessAllowed } from '@skiff/client';
import { Kubectl } from '../support/kubectl.ts';
import { useJoinCluster } from '../support/join-cluster.ts';

const run = promisify(execFile);
const SKIFF = fileURLToPath(new URL('../../bin/skiff', import.meta.url));
/** Certificates of this file live 30 s, so that a renewal (at 80%) happens within the test. */
const SIGNING_SECONDS = 30;

/** Every request the server authenticated: path, the bearer token it carried, the client certificate's CN. */
const seen: { url: string; bearer: string | undefined; cert: string | undefined }[] = [];
/** What reached the server from clients without a certificate (not the components of this file). */
const fromUncertified = () => seen.filter((r) => r.cert === undefined).map(({ url, bearer }) => ({ url, bearer }));
const agents: Agent[] = [];

const cluster = useJoinCluster({
  prefix: 'skiff-join-',
  signingDurationSeconds: SIGNING_SECONDS,
  // Observe (not change) what reaches authentication, the first step of every request.
  onServer: (server) => {
    const authenticator = server.app.skiff.authenticator;
    const authenticate = authenticator.authenticate.bind(authenticator);
    authenticator.authenticate = (req: IncomingMessage) => {
      const h = req.headers.authorization;
      const cn = (req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN as string | undefined;
      seen.push({ url: req.url ?? '', bearer: h?.replace(/^Bearer\s+/i, ''), cert: cn || undefined });
      return authenticate(req);
    };
  },
  beforeClose: async () => {
    for (const a of agents) await a.stop();
  },
});
const { newToken } = cluster;

const log = () => undefined;
const nodeReady = async (name: string) => {
  const n = await cluster.admin.get(NODES, undefined, name).catch(() => undefined);
  return ((n?.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');
};

describe('skiff token', () => {
  test('create prints K10<CA hash>::<token>; list shows the ID and never the secret; delete removes the Secret', async () => {
    const env = { ...process.env, KUBECONFIG: cluster.server.tls!.kubeconfig, SKIFF_HOME: cluster.dir };
    const created = (await run(SKIFF, ['token', 'create', '--ttl', '2h', '--description', 'rack 4'], { env })).stdout.trim();
    const m = /^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(created);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(caHash(cluster.server.tls!.ca));
    const secret = await cluster.admin.get(SECRETS, 'kube-system', `bootstrap-token-${m![2]}`);
    expect(secret.type).toBe('bootstrap.kubernetes.io/token');
    const field = (k: string) => Buffer.from((secret.data as Record<string, string>)[k], 'base64').toString();
    expect(field('token-secret')).toBe(m![3]);
    expect(field('usage-bootstrap-authentication')).toBe('true');
    expect(field('description')).toBe('rack 4');
    const left = Date.parse(field('expiration')) - Date.now();
    expect(left).toBeGreaterThan(2 * 3600_000 - 120_000);
    expect(left).toBeLessThanOrEqual(2 * 3600_000);
    const listed = (await run(SKIFF, ['token', 'list'], { env })).stdout;
    expect(listed).toContain(m![2]);
    expect(listed).toContain('rack 4');
    expect(listed).not.toContain(m![3]);
    expect((await run(SKIFF, ['token', 'delete', m![2]], { env })).stdout).toContain(`bootstrap token "${m![2]}" deleted`);
    await expect(cluster.admin.get(SECRETS, 'kube-system', `bootstrap-token-${m![2]}`)).rejects.toMatchObject({ code: 404 });
    const again = await run(SKIFF, ['token', 'delete', m![2]], { env }).catch((e: { stderr: string; code: number }) => e);
    expect(again).toMatchObject({ code: 1 });
    expect((again as { stderr: string }).stderr).toContain(`bootstrap token "${m![2]}" not found`);
  }, 60_000);
});

describe('joining', () => {
  test('token → CA check → CSR approved and signed → the Node registers with its own certificate → a pod runs, its logs come over mutual TLS', async () => {
    const t = await newToken();
    const idDir = join(cluster.dir, 'host-a');
    const id = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'join-a', dir: idDir, log });
    // Its own identity, signed by the cluster CA, kept 0600; the token is nowhere on disk.
    expect(certificateInfo(id.cert)).toMatchObject({ commonName: 'system:node:join-a', organizations: ['system:nodes'] });
    expect(issuedBy(id.cert, cluster.server.tls!.ca)).toBe(true);
    for (const f of readdirSync(idDir)) {
      expect(statSync(join(idDir, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(idDir, f), 'utf8')).not.toContain(t.token.split('.')[1]);
    }
    expect(statSync(idDir).mode & 0o777).toBe(0o700);
    // The CSR: from the bootstrap token's user, approved for it, issued.
    const csrs = (await cluster.admin.list(CERTIFICATE_SIGNING_REQUESTS)).items.filter((c) => c.spec?.username === `system:bootstrap:${t.id}`);
    expect(csrs).toHaveLength(1);
    expect(csrs[0].spec?.groups).toEqual(expect.arrayContaining(['system:bootstrappers', 'system:authenticated']));
    expect((csrs[0].status?.conditions as { type: string; reason: string }[]).map((c) => [c.type, c.reason])).toEqual([['Approved', 'AutoApproved']]);
    // The node password's hash is kept for the name.
    const pw = await cluster.admin.get(SECRETS, 'kube-system', 'join-a.node-password.skiff');
    expect(Buffer.from((pw.data as { hash: string }).hash, 'base64').toString()).toMatch(/^scrypt\$/);

    const tokenRequestsBefore = seen.filter((r) => r.bearer === t.token).length;
    const agent = await startAgent({ server: cluster.server.url, ...id, identityDir: idDir, nodeName: 'join-a', nodeIP: '127.0.0.1', port: 0, runtime: new SimRuntime(), rootDir: join(cluster.dir, 'root-a'), log });
    agents.push(agent);
    await until('join-a Ready', () => nodeReady('join-a'), 20_000);
    // From then on only its own identity: not one more request with the token.
    expect(seen.filter((r) => r.bearer === t.token).length).toBe(tokenRequestsBefore);
    // Its serving certificate came the same way (signer kubelet-serving, requested by the node).
    await until('the serving certificate', async () => readdirSync(idDir).includes(IDENTITY_FILES.servingCert), 20_000);
    const serving = certificateInfo(readFileSync(join(idDir, IDENTITY_FILES.servingCert), 'utf8'));
    expect(serving.commonName).toBe('system:node:join-a');
    expect(serving.sans).toEqual(expect.arrayContaining(['127.0.0.1', 'join-a']));

    await cluster.admin.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'on-join-a', namespace: 'default' }, spec: { nodeName: 'join-a', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'skiff/busybox:1' }] } });
    await until('the pod Running', async () => (await cluster.admin.get(PODS, 'default', 'on-join-a')).status?.phase === 'Running', 20_000);
    // pods/log: the API server → the agent's endpoint, HTTPS both ways.
    const logs = await until('logs through the API server', async () => {
      try {
        return await cluster.admin.transport.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/on-join-a/log', accept: 'text/plain' });
      } catch {
        return false;
      }
    }, 20_000);
    expect(logs.status).toBe(200);
    // kubectl exec: the upgrade relayed to the agent over the same mutual TLS; the simulated
    // runtime's output comes back on kubectl's stdout and stderr, its `exit 3` as kubectl's exit code.
    const kubectl = new Kubectl(cluster.server.url, cluster.server.tls!.kubeconfig);
    expect(await kubectl.run(['exec', 'on-join-a', '--', 'echo', 'hello', 'from', 'a', 'hollow', 'node'])).toEqual({ code: 0, stdout: 'hello from a hollow node\n', stderr: '' });
    expect(await kubectl.run(['exec', 'on-join-a', '--', 'sh', '-c', 'echo oops >&2'])).toMatchObject({ code: 0, stdout: '', stderr: 'oops\n' });
    expect((await kubectl.run(['exec', 'on-join-a', '--', 'exit', '3'])).code).toBe(3);
  }, 90_000);

  test('a wrong CA hash stops the agent before the token is sent: the server saw only the anonymous /cacerts', async () => {
    const t = await newToken();
    const other = await createCertificateAuthority('another-cluster');
    seen.length = 0;
    const err = await joinCluster({ server: cluster.server.url, joinString: formatJoinString(caHash(other.cert), t.token), nodeName: 'join-wrong-ca', dir: join(cluster.dir, 'wrong-ca'), log }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as Error).message).toContain('does not match the join string');
    expect((err as Error).message).toContain('The token was not sent');
    expect(fromUncertified()).toEqual([{ url: '/cacerts', bearer: undefined }]);
    expect(seen.some((r) => r.bearer !== undefined)).toBe(false);
    await expect(cluster.admin.get(SECRETS, 'kube-system', 'join-wrong-ca.node-password.skiff')).rejects.toMatchObject({ code: 404 });
  });

  test('`skiff agent --token` with a wrong CA hash exits 1 with the reason, before sending anything secret', async () => {
    const t = await newToken();
    const other = await createCertificateAuthority('yet-another-cluster');
    seen.length = 0;
    const args = ['agent', '--server', cluster.server.url, '--token', formatJoinString(caHash(other.cert), t.token), '--node-name', 'join-cli', '--runtime', 'sim', '--port', '0', '--root-dir', join(cluster.dir, 'cli-root')];
    const r = await run(SKIFF, args, { env: { ...process.env, SKIFF_HOME: cluster.dir }, timeout: 60_000 }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not match the join string');
    expect(r.stderr).not.toContain(t.token.split('.')[1]);
    expect(seen.every((x) => x.bearer === undefined)).toBe(true);
    expect(fromUncertified()).toEqual([{ url: '/cacerts', bearer: undefined }]);
  }, 60_000);

  test('an expired token and a deleted token are 401, and the agent says so', async () => {
    const expired = newBootstrapToken();
    const secret = bootstrapTokenSecret({ id: expired.id, secret: expired.secret, ttlSeconds: 60, now: new Date(Date.now() - 120_000) });
    await cluster.admin.create(SECRETS, secret as unknown as KubeObject);
    const hash = caHash(cluster.server.tls!.ca);
    const e1 = await joinCluster({ server: cluster.server.url, joinString: formatJoinString(hash, expired.token), nodeName: 'join-expired', dir: join(cluster.dir, 'expired'), log }).catch((e: Error) => e);
    expect((e1 as Error).message).toContain('401 Unauthorized');
    const deleted = await newToken();
    await cluster.admin.delete(SECRETS, 'kube-system', `bootstrap-token-${deleted.id}`);
    const e2 = await joinCluster({ server: cluster.server.url, joinString: deleted.join, nodeName: 'join-deleted', dir: join(cluster.dir, 'deleted'), log }).catch((e: Error) => e);
    expect(e2).toBeInstanceOf(JoinError);
    expect((e2 as Error).message).toContain('401 Unauthorized');
    // The token itself, on a plain request: 401.
    const direct = new RestClient({ server: cluster.server.url, ca: cluster.server.tls!.ca, token: deleted.token });
    await expect(direct.list(NODES)).rejects.toMatchObject({ code: 401 });
    direct.close();
  });

  test("a second host cannot take a registered node's name; the first host may join again with its node password", async () => {
    const t = await newToken();
    const first = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'join-b', dir: join(cluster.dir, 'host-b1'), log });
    expect(certificateInfo(first.cert).commonName).toBe('system:node:join-b');
    const err = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'join-b', dir: join(cluster.dir, 'host-b2'), log }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(JoinError);
    expect((err as Error).message).toContain('node "join-b" is already registered by another host (its node password does not match)');
    // The name's own host (same node password) is let in again.
    const again = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'join-b', dir: join(cluster.dir, 'host-b1'), log });
    expect(certificateInfo(again.cert).commonName).toBe('system:node:join-b');
    // A name a Node holds without any node password (registered another way) is refused too.
    await cluster.admin.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'join-c' } });
    const taken = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'join-c', dir: join(cluster.dir, 'host-c'), log }).catch((e: Error) => e);
    expect((taken as Error).message).toContain('node "join-c" is already registered and has no node password');
  });

  test('a node password goes with its Node (an ownerReference to it); then a new host may join under the name', async () => {
    const t = await newToken();
    const first = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'reuse-1', dir: join(cluster.dir, 'host-r1'), log });
    // The node registers itself, as its agent does.
    const asFirst = new RestClient({ server: cluster.server.url, ca: first.ca, cert: first.cert, key: first.key });
    const node: KubeObject = await asFirst.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'reuse-1' } } as KubeObject);
    asFirst.close();
    const tied = await until('the node password tied to its Node', async () => {
      const s = await cluster.admin.get(SECRETS, 'kube-system', 'reuse-1.node-password.skiff');
      return s.metadata.ownerReferences?.length ? s : undefined;
    }, 10_000);
    expect(tied.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'reuse-1', uid: node.metadata.uid }]);
    // While the Node is there, another host cannot take the name.
    const refused = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'reuse-1', dir: join(cluster.dir, 'host-r2'), log }).catch((e: Error) => e);
    expect((refused as Error).message).toContain('node "reuse-1" is already registered by another host');
    expect((refused as Error).message).toContain('delete the Node to give the name to a new host');
    // The Node deleted, its password goes with it, and the new host joins under the name.
    await cluster.admin.delete(NODES, undefined, 'reuse-1');
    await until('the node password deleted with its Node', () => cluster.admin.get(SECRETS, 'kube-system', 'reuse-1.node-password.skiff').then(() => false, (e: ApiError) => e.code === 404), 10_000);
    const second = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'reuse-1', dir: join(cluster.dir, 'host-r2'), log });
    expect(certificateInfo(second.cert).commonName).toBe('system:node:reuse-1');
    // Now the name is the new host's: the old one is refused.
    const old = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'reuse-1', dir: join(cluster.dir, 'host-r1'), log }).catch((e: Error) => e);
    expect((old as Error).message).toContain('node "reuse-1" is already registered by another host');
  }, 60_000);

  test('CSRs a bootstrap token or a node may not have are denied with the reason; no node password is 403', async () => {
    const t = await newToken();
    const boot = new RestClient({ server: cluster.server.url, ca: cluster.server.tls!.ca, token: t.token, headers: { 'skiff-node-password': 'pw-for-denials' } });
    const submit = async (c: RestClient, name: string, cn: string, o: string[], usages: string[], signerName = KUBELET_CLIENT_SIGNER) => {
      const { csr } = await createCertificateRequest({ commonName: cn, organizations: o });
      await c.create(CERTIFICATE_SIGNING_REQUESTS, { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec: { request: Buffer.from(csr).toString('base64'), signerName, usages } });
      return until(`${name} decided`, async () => {
        const got = await cluster.admin.get(CERTIFICATE_SIGNING_REQUESTS, undefined, name);
        const c = (got.status?.conditions ?? []) as { type: string; reason: string; message: string }[];
        return c.length ? c : false;
      }, 10_000);
    };
    expect(await submit(boot, 'deny-cn', 'mallory', ['system:nodes'], KUBELET_CLIENT_USAGES)).toEqual([
      expect.objectContaining({ type: 'Denied', message: 'not a node client certificate request: subject common name does not begin with system:node:' }),
    ]);
    expect(await submit(boot, 'deny-org', 'system:node:x1', ['system:masters'], KUBELET_CLIENT_USAGES)).toEqual([
      expect.objectContaining({ type: 'Denied', message: 'not a node client certificate request: subject organization is not system:nodes' }),
    ]);
    expect(await submit(boot, 'deny-usages', 'system:node:x2', ['system:nodes'], ['digital signature', 'client auth', 'server auth'])).toEqual([
      expect.objectContaining({ type: 'Denied', message: expect.stringContaining('usages did not match') }),
    ]);
    expect(await submit(boot, 'deny-signer', 'system:node:x3', ['system:nodes'], ['digital signature', 'client auth'], 'kubernetes.io/kube-apiserver-client')).toEqual([
      expect.objectContaining({ type: 'Denied', message: expect.stringContaining('may ask only for') }),
    ]);
    // A node asking for another node's client certificate.
    const nodeA = await joinCluster({ server: cluster.server.url, joinString: t.join, nodeName: 'join-d', dir: join(cluster.dir, 'host-d'), log });
    const asNode = new RestClient({ server: cluster.server.url, ca: nodeA.ca, cert: nodeA.cert, key: nodeA.key });
    expect(await submit(asNode, 'deny-other-node', 'system:node:join-a', ['system:nodes'], KUBELET_CLIENT_USAGES)).toEqual([
      expect.objectContaining({ type: 'Denied', message: 'a node may renew only its own client certificate: the request is for system:node:join-a, the requester is system:node:join-d' }),
    ]);
    // No node password: refused at creation.
    const noPassword = new RestClient({ server: cluster.server.url, ca: cluster.server.tls!.ca, token: t.token });
    const { csr } = await createCertificateRequest({ commonName: 'system:node:x4', organizations: ['system:nodes'] });
    const err = await noPassword.create(CERTIFICATE_SIGNING_REQUESTS, { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'no-password' }, spec: { request: Buffer.from(csr).toString('base64'), signerName: KUBELET_CLIENT_SIGNER, usages: KUBELET_CLIENT_USAGES } }).catch((e: ApiError) => e);
    expect(err).toMatchObject({ code: 403 });
    expect((err as ApiError).message).toContain('a joining node must send its node password');
    for (const c of [boot, asNode, noPassword]) c.close();
  }, 60_000);

  test("the agent's endpoint: no client certificate is refused in the TLS handshake; a certificate of someone else than the API server is 403", async () => {
    const agent = agents[0];
    const get = (creds: { cert?: string; key?: string }) =>
      new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
        const req = httpsRequest({ host: '127.0.0.1', port: agent.endpointPort, path: '/containerLogs/default/on-join-a/c', ca: cluster.server.tls!.ca, ...creds, servername: undefined, checkServerIdentity: () => undefined, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
        req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
        req.end();
      });
    const anonymous = await get({});
    expect(anonymous.status).toBeUndefined();
    expect(anonymous.error).toMatch(/ECONNRESET|ERR_SSL|certificate required|EPIPE/i);
    const asAdmin = await get(cluster.server.tls!.admin);
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.body).toContain('the node agent serves only the API server (kube-apiserver-kubelet-client), not \\"skiff-admin\\"');
  });

  test('the node renews its client and serving certificates at 80% of their life and goes on with the new ones', async () => {
    const idDir = join(cluster.dir, 'host-a');
    const before = certificateInfo(readFileSync(join(idDir, IDENTITY_FILES.clientCert), 'utf8'));
    const servingBefore = certificateInfo(readFileSync(join(idDir, IDENTITY_FILES.servingCert), 'utf8'));
    expect(before.notAfter.getTime() - before.notBefore.getTime()).toBeLessThanOrEqual((SIGNING_SECONDS + 3) * 1000 + 1000);
    const renewed = await until('a renewed client certificate on disk', async () => {
      const now = certificateInfo(readFileSync(join(idDir, IDENTITY_FILES.clientCert), 'utf8'));
      return now.serial !== before.serial && now;
    }, { timeoutMs: 45_000, intervalMs: 250 });
    expect(renewed.commonName).toBe('system:node:join-a');
    expect(renewed.notAfter.getTime()).toBeGreaterThan(before.notAfter.getTime());
    // Requested by the node itself (selfnodeclient), and approved for it.
    const fromNode = (await cluster.admin.list(CERTIFICATE_SIGNING_REQUESTS)).items.filter((c) => c.spec?.username === 'system:node:join-a' && c.spec?.signerName === KUBELET_CLIENT_SIGNER);
    expect(fromNode.length).toBeGreaterThanOrEqual(1);
    // The old certificate expires: the node keeps its lease renewed with the new one.
    await until('the old certificate expired', async () => Date.now() > before.notAfter.getTime() + 1000, { timeoutMs: 45_000, intervalMs: 500 });
    const lease = await cluster.admin.get(LEASES, 'kube-node-lease', 'join-a');
    const renewedAt = Date.parse(lease.spec?.renewTime as string);
    await until('the lease renewed after the old certificate expired', async () => Date.parse((await cluster.admin.get(LEASES, 'kube-node-lease', 'join-a')).spec?.renewTime as string) > renewedAt, 30_000);
    expect(await nodeReady('join-a')).toBe(true);
    // The serving certificate was renewed too, and the API server verifies the new one.
    expect(certificateInfo(readFileSync(join(idDir, IDENTITY_FILES.servingCert), 'utf8')).serial).not.toBe(servingBefore.serial);
    expect(Date.now()).toBeGreaterThan(servingBefore.notAfter.getTime());
    const logs = await cluster.admin.transport.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/on-join-a/log', accept: 'text/plain' });
    expect(logs.status).toBe(200);
  }, 150_000);
});

describe('auto-approval follows the authorizer (SubjectAccessReview), not the groups', () => {
  const RBAC = 'rbac.authorization.k8s.io';
  const NODECLIENT = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
  /** The SubjectAccessReviews the approver asked about each user (the server's authorizer answered them). */
  const reviewed = new Map<string, string[]>();
  beforeAll(() => {
    const authorizer = cluster.server.app.skiff.authorizer;
    const authorize = authorizer.authorize.bind(authorizer);
    authorizer.authorize = (a) => {
      if (a.resource === 'certificatesigningrequests' && (a.subresource === 'nodeclient' || a.subresource === 'selfnodeclient')) reviewed.set(a.user.username, [...(reviewed.get(a.user.username) ?? []), a.subresource]);
      return authorize(a);
    };
  });
  const asked = (user: string) => reviewed.get(user)?.length ?? 0;
  /** What the authorizer answers now (the RBAC index follows writes through a watch). */
  const mayCsr = (subject: { user: string; groups: string[] }, subresource: string) =>
    subjectAccessAllowed(cluster.admin, subject, { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource, verb: 'create' });

  const submit = async (c: RestClient, name: string, cn: string) => {
    const { csr } = await createCertificateRequest({ commonName: cn, organizations: ['system:nodes'] });
    await c.create(CERTIFICATE_SIGNING_REQUESTS, { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec: { request: Buffer.from(csr).toString('base64'), signerName: KUBELET_CLIENT_SIGNER, usages: KUBELET_CLIENT_USAGES } });
  };
  const conditions = async (name: string) => ((await cluster.admin.get(CERTIFICATE_SIGNING_REQUESTS, undefined, name)).status?.conditions ?? []) as { type: string; reason: string; message: string }[];
  /**
   * Waits until the approver has fully handled `name` as it stands, without approving it: it asked
   * both reviews; then a change to the request queues it again, and once the reviews are asked
   * again the first pass is over (the work queue never hands one key to two workers at once).
   */
  const stillPendingAfterReview = async (name: string, user: string) => {
    const before = asked(user);
    await until(`${name} reviewed`, async () => asked(user) >= before + 2, 10_000);
    await cluster.admin.patch(CERTIFICATE_SIGNING_REQUESTS, undefined, name, { metadata: { annotations: { 'test/requeue': String(Date.now()) } } });
    await until(`${name} reviewed again`, async () => asked(user) >= before + 4, 10_000);
    return conditions(name);
  };
  const bind = async (name: string, role: string, group: string) => {
    await cluster.admin.create({ group: RBAC, version: 'v1', plural: 'clusterrolebindings', scope: 'Cluster' }, { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: RBAC, kind: 'Group', name: group }] } as unknown as KubeObject);
  };

  test('a requester without create certificatesigningrequests/nodeclient: its node CSR stays Pending; bound to it by an admin: approved', async () => {
    // May create CSRs (node-bootstrapper) but is not a bootstrap token and holds no nodeclient.
    const provisioner = new RestClient({ server: cluster.server.url, ca: cluster.server.tls!.ca, ...(await cluster.server.tls!.issue({ commonName: 'provisioner', organizations: ['joiners'] })) });
    await bind('joiners-csr', 'system:node-bootstrapper', 'joiners');
    await until('joiners may create CSRs', () => mayCsr({ user: 'provisioner', groups: ['joiners'] }, ''), 5000);
    await submit(provisioner, 'by-provisioner', 'system:node:prov-1');
    expect(await stillPendingAfterReview('by-provisioner', 'provisioner')).toEqual([]);
    expect(reviewed.get('provisioner')!.slice(0, 2)).toEqual(['selfnodeclient', 'nodeclient']);
    // An admin lets the group auto-approve (as kubeadm binds it for its token group); the next pass approves it.
    await bind('joiners-nodeclient', NODECLIENT, 'joiners');
    await until('joiners may nodeclient', () => mayCsr({ user: 'provisioner', groups: ['joiners'] }, 'nodeclient'), 5000);
    await cluster.admin.patch(CERTIFICATE_SIGNING_REQUESTS, undefined, 'by-provisioner', { metadata: { annotations: { 'test/requeue': 'after-binding' } } });
    const approved = await until('by-provisioner approved', async () => (await conditions('by-provisioner')).find((c) => c.type === 'Approved'), 10_000);
    expect(approved).toMatchObject({ reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' });
    await until('by-provisioner issued', async () => !!(await cluster.admin.get(CERTIFICATE_SIGNING_REQUESTS, undefined, 'by-provisioner')).status?.certificate, 10_000);
    provisioner.close();
  }, 60_000);

  test('an admin revokes auto-approval for bootstrap tokens by deleting the nodeclient binding: a join CSR stays Pending', async () => {
    const t = await newToken();
    const boot = new RestClient({ server: cluster.server.url, ca: cluster.server.tls!.ca, token: t.token, headers: { 'skiff-node-password': 'pw-for-revocation' } });
    const binding = await cluster.admin.get({ group: RBAC, version: 'v1', plural: 'clusterrolebindings', scope: 'Cluster' }, undefined, NODECLIENT);
    await cluster.admin.delete({ group: RBAC, version: 'v1', plural: 'clusterrolebindings', scope: 'Cluster' }, undefined, NODECLIENT);
    try {
      const bootUser = `system:bootstrap:${t.id}`;
      const bootGroups = ['system:bootstrappers', 'system:bootstrappers:skiff:default-node-token'];
      await until('the binding is gone from the authorizer', async () => !(await mayCsr({ user: bootUser, groups: bootGroups }, 'nodeclient')), 5000);
      await submit(boot, 'revoked-join', 'system:node:revoked-1');
      expect(await stillPendingAfterReview('revoked-join', bootUser)).toEqual([]);
    } finally {
      const { metadata, ...rest } = binding;
      await cluster.admin.create({ group: RBAC, version: 'v1', plural: 'clusterrolebindings', scope: 'Cluster' }, { ...rest, metadata: { name: metadata.name, labels: metadata.labels, annotations: metadata.annotations } } as KubeObject);
      boot.close();
    }
    // With the binding back, the same request is approved at its next pass.
    await cluster.admin.patch(CERTIFICATE_SIGNING_REQUESTS, undefined, 'revoked-join', { metadata: { annotations: { 'test/requeue': 'restored' } } });
    await until('revoked-join approved once the binding is back', async () => (await conditions('revoked-join')).some((c) => c.type === 'Approved'), 10_000);
  }, 60_000);
});

describe('kubectl certificate approve|deny', () => {
  test('a CSR for kube-apiserver-client stays Pending until an admin approves it with kubectl, then it is signed; deny is refused after approve', async () => {
    const kubectl = new Kubectl(cluster.server.url, cluster.server.tls!.kubeconfig);
    const { csr } = await createCertificateRequest({ commonName: 'jane', organizations: ['devs'] });
    await cluster.admin.create(CERTIFICATE_SIGNING_REQUESTS, { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'jane' }, spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } });
    expect(await kubectl.ok(['get', 'csr', 'jane'])).toMatch(/jane\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+skiff-admin\s+<none>\s+Pending/);
    expect(await kubectl.ok(['certificate', 'approve', 'jane'])).toContain('certificatesigningrequest.certificates.k8s.io/jane approved');
    const issued = await until('jane issued', async () => (await cluster.admin.get(CERTIFICATE_SIGNING_REQUESTS, undefined, 'jane')).status?.certificate as string | undefined, 10_000);
    expect(certificateInfo(Buffer.from(issued, 'base64').toString()).commonName).toBe('jane');
    expect(await kubectl.ok(['get', 'csr', 'jane'])).toMatch(/Approved,Issued/);
    const deny = await kubectl.run(['certificate', 'deny', 'jane']);
    expect(deny.code).not.toBe(0);
  }, 60_000);
});
