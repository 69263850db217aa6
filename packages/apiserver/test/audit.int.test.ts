// The audit log (issue 12 §4) of a real HTTPS server: one audit.k8s.io/v1 Event per line for
// every request (refused ones too), Metadata by default; a policy file raises or lowers levels,
// but Secret and token bodies never reach the log, nor do tokens; the log rotates by size; exec
// upgrades are audited.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../src/testing/index.ts';
import { parseStaticTokens } from '../src/auth/index.ts';
import { auditBackups } from '../src/audit/index.ts';
import { bindClusterRoleToGroup, httpsCall } from './support/https.ts';

const TOKEN = 'audit-token-0123456789abcdef';
const VALUE = 'audit-secret-value-do-not-log';
const OTHER = 'audit-token-dave-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'skiff-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function events(path: string): any[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function serverWith(name: string, audit: { policy?: string; maxSizeMB?: number; maxBackups?: number } = {}): Promise<{ server: TestServer; path: string }> {
  const path = join(dir, `${name}.log`);
  let policyFile: string | undefined;
  if (audit.policy) writeFileSync((policyFile = join(dir, `${name}-policy.yaml`)), audit.policy);
  const server = await startTestServer({
    https: true,
    authentication: { staticTokens: parseStaticTokens(`${TOKEN},carol,uid-carol,"devs"\n${OTHER},dave,uid-dave,"nobody"\n`) },
    audit: { path, policyFile, maxSizeMB: audit.maxSizeMB, maxBackups: audit.maxBackups },
  });
  // carol (group devs) may do anything, though not as system:masters.
  await bindClusterRoleToGroup(server, 'cluster-admin', 'devs');
  return { server, path };
}

async function flushed(server: TestServer): Promise<void> {
  await server.app.skiff.audit!.writer.flushed();
}

test('Metadata by default: every request, refused ones too, with user, verb, objectRef and code; no bodies, no token', async () => {
  const { server, path } = await serverWith('default');
  try {
    const created = await httpsCall(server, { path: '/api/v1/namespaces/default/secrets', method: 'POST', token: TOKEN, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { v: VALUE } } });
    expect(created.status).toBe(201);
    const auditId = created.headers['audit-id'];
    expect(auditId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/pods/missing', token: TOKEN })).status).toBe(404);
    expect((await httpsCall(server, { path: '/api/v1/namespaces', token: 'not-a-valid-token' })).status).toBe(401);
    expect((await httpsCall(server, { path: '/healthz' })).status).toBe(200);
    // Refused by authorization, and a request that impersonates another user.
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps?limit=7', token: OTHER })).status).toBe(403);
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps?limit=9', cert: server.tls!.admin, headers: { 'impersonate-user': 'carol', 'impersonate-group': 'devs' } })).status).toBe(200);
    await flushed(server);
    const log = events(path);
    const create = log.find((e) => e.auditID === auditId);
    expect(create.annotations).toEqual({ 'authorization.k8s.io/decision': 'allow' });
    expect(log.find((e) => e.requestURI.endsWith('limit=7'))).toMatchObject({ user: { username: 'dave' }, responseStatus: { code: 403, reason: 'Forbidden' }, annotations: { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': expect.stringContaining('cannot list resource "configmaps"') } });
    expect(log.find((e) => e.requestURI.endsWith('limit=9'))).toMatchObject({ user: { username: 'skiff-admin' }, impersonatedUser: { username: 'carol', groups: ['devs', 'system:authenticated'] }, responseStatus: { code: 200 } });
    expect(create).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/default/secrets',
      verb: 'create',
      user: { username: 'carol', uid: 'uid-carol', groups: ['devs', 'system:authenticated'] },
      sourceIPs: ['127.0.0.1'],
      objectRef: { resource: 'secrets', namespace: 'default', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
    });
    expect(Date.parse(create.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(create.requestReceivedTimestamp));
    expect(log.find((e) => e.requestURI === '/api/v1/namespaces/default/pods/missing')).toMatchObject({ verb: 'get', objectRef: { resource: 'pods', name: 'missing' }, responseStatus: { code: 404, reason: 'NotFound', status: 'Failure' } });
    expect(log.find((e) => e.requestURI === '/api/v1/namespaces')).toMatchObject({ verb: 'list', user: { username: 'system:anonymous' }, responseStatus: { code: 401 } });
    expect(log.find((e) => e.requestURI === '/healthz')).toMatchObject({ verb: 'get', responseStatus: { code: 200 } });
    expect(log.every((e) => e.requestObject === undefined && e.responseObject === undefined)).toBe(true);
    const text = readFileSync(path, 'utf8');
    for (const never of [VALUE, Buffer.from(VALUE).toString('base64'), TOKEN, OTHER, 'not-a-valid-token']) expect(text).not.toContain(never);
  } finally {
    await server.close();
  }
});

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: RequestResponse
    resources: [{ group: "", resources: ["configmaps", "secrets", "serviceaccounts/token"] }]
  - level: Request
    verbs: [create]
    resources: [{ group: "", resources: ["pods"] }]
  - level: None
    users: [nobody-logged]
  - level: Metadata
`;

test('a policy file: None, Request and RequestResponse by rule; Secret and token bodies stay out at any level', async () => {
  const { server, path } = await serverWith('policy', { policy: POLICY });
  try {
    const cm = await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps', method: 'POST', token: TOKEN, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'configmap-value' } } });
    expect(cm.status).toBe(201);
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/secrets', method: 'POST', token: TOKEN, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { v: VALUE } } })).status).toBe(201);
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/secrets/s', token: TOKEN })).status).toBe(200);
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/serviceaccounts', method: 'POST', cert: server.tls!.admin, body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa' } } })).status).toBe(201);
    const tr = await httpsCall(server, { path: '/api/v1/namespaces/default/serviceaccounts/sa/token', method: 'POST', cert: server.tls!.admin, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} } });
    expect(tr.status).toBe(201);
    const issued = tr.body.status.token as string;
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] } };
    expect((await httpsCall(server, { path: '/api/v1/namespaces/default/pods', method: 'POST', token: TOKEN, body: pod })).status).toBe(201);
    expect((await httpsCall(server, { path: '/healthz' })).status).toBe(200);
    await flushed(server);
    const log = events(path);
    const cmEvent = log.find((e) => e.objectRef?.resource === 'configmaps' && e.verb === 'create');
    expect(cmEvent.level).toBe('RequestResponse');
    expect(cmEvent.requestObject).toMatchObject({ kind: 'ConfigMap', data: { k: 'configmap-value' } });
    expect(cmEvent.responseObject).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'c', uid: expect.any(String) } });
    const podEvent = log.find((e) => e.objectRef?.resource === 'pods' && e.verb === 'create');
    expect(podEvent.level).toBe('Request');
    expect(podEvent.requestObject).toMatchObject({ kind: 'Pod', metadata: { name: 'p' } });
    expect(podEvent.responseObject).toBeUndefined();
    for (const e of log.filter((x) => x.objectRef?.resource === 'secrets' || x.objectRef?.subresource === 'token')) {
      expect(e.level).toBe('Metadata');
      expect(e.requestObject).toBeUndefined();
      expect(e.responseObject).toBeUndefined();
    }
    expect(log.filter((e) => e.objectRef?.resource === 'secrets').map((e) => e.verb)).toEqual(['create', 'get']);
    expect(log.some((e) => e.requestURI === '/healthz')).toBe(false);
    const text = readFileSync(path, 'utf8');
    for (const never of [VALUE, Buffer.from(VALUE).toString('base64'), TOKEN, issued]) expect(text).not.toContain(never);
  } finally {
    await server.close();
  }
});

test('the log rotates by size and keeps --audit-log-maxbackup old files, each line a whole event', async () => {
  const { server, path } = await serverWith('rotate', { maxSizeMB: 0.005, maxBackups: 2 });
  try {
    for (let i = 0; i < 80; i++) expect((await httpsCall(server, { path: `/api/v1/namespaces/default/configmaps/n${i}`, token: TOKEN })).status).toBe(404);
    await flushed(server);
    const old = auditBackups(path);
    expect(old.length).toBe(2);
    const all = [...old, path].flatMap((f) => events(f));
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((e) => e.kind === 'Event' && e.responseStatus.code === 404)).toBe(true);
    // The newest events are all there, in order, across the kept files.
    const names = all.map((e) => Number(/n(\d+)$/.exec(e.requestURI)![1]));
    expect(names).toEqual([...names].sort((a, b) => a - b));
    expect(names.at(-1)).toBe(79);
  } finally {
    await server.close();
  }
});

test('an exec upgrade is audited with its answer', async () => {
  const { server, path } = await serverWith('exec');
  try {
    const url = new URL(server.url);
    // A pod that is not there: the relay answers 404 on the upgrade's socket.
    const head = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: url.hostname, port: Number(url.port), ca: server.tls!.ca, cert: server.tls!.admin.cert, key: server.tls!.admin.key }, () => {
        s.write(`GET /api/v1/namespaces/default/pods/nope/exec?command=sh&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
      });
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 404/);
    const { until } = await import('../src/testing/index.ts');
    await until('the exec events are written', async () => {
      await flushed(server);
      return events(path).some((e) => e.objectRef?.subresource === 'exec' && e.stage === 'ResponseComplete');
    }, 5000);
    const exec = events(path).filter((e) => e.objectRef?.subresource === 'exec');
    // An upgrade is long-running: its status line is its ResponseStarted, its close its ResponseComplete.
    expect(exec.map((e) => e.stage)).toEqual(['ResponseStarted', 'ResponseComplete']);
    for (const e of exec) expect(e).toMatchObject({ verb: 'get', user: { username: 'skiff-admin' }, objectRef: { resource: 'pods', name: 'nope', namespace: 'default' }, responseStatus: { code: 404 } });
  } finally {
    await server.close();
  }
});

const STAGES_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: Metadata
    resources: [{ group: "", resources: ["configmaps"] }]
    omitStages: [ResponseStarted]
  - level: Metadata
`;

test('stages: RequestReceived unless omitted; a watch is logged when it starts (ResponseStarted) and when it ends; omitStages by rule', async () => {
  const { server, path } = await serverWith('stages', { policy: STAGES_POLICY });
  const { until } = await import('../src/testing/index.ts');
  const { request } = await import('node:https');
  try {
    const got = await httpsCall(server, { path: '/api/v1/namespaces/default/pods/missing', token: TOKEN });
    expect(got.status).toBe(404);
    const id = got.headers['audit-id'];
    // A watch that stays open: its ResponseStarted event is in the log before it ends.
    const url = new URL(server.url);
    const watch = request({ host: url.hostname, port: url.port, path: '/api/v1/namespaces/default/pods?watch=1', ca: server.tls!.ca, headers: { authorization: `Bearer ${TOKEN}` }, agent: false });
    const response = new Promise<{ statusCode?: number; headers: Record<string, unknown> }>((resolve, reject) => {
      watch.on('response', resolve);
      watch.on('error', reject);
    });
    watch.end();
    const res = await response;
    expect(res.statusCode).toBe(200);
    const watchId = res.headers['audit-id'];
    // A watch's response carries its Audit-Id like any other.
    expect(watchId).toMatch(/^[0-9a-f-]{36}$/);
    await until('the watch\'s ResponseStarted event is written', async () => {
      await flushed(server);
      return events(path).some((e) => e.auditID === watchId && e.stage === 'ResponseStarted');
    }, 5000);
    expect(events(path).filter((e) => e.auditID === watchId).map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseStarted']);
    watch.destroy();
    await until('the watch\'s ResponseComplete event is written', async () => {
      await flushed(server);
      return events(path).some((e) => e.auditID === watchId && e.stage === 'ResponseComplete');
    }, 5000);
    // A configmaps watch: the rule omits ResponseStarted.
    const cmWatch = request({ host: url.hostname, port: url.port, path: '/api/v1/namespaces/default/configmaps?watch=1', ca: server.tls!.ca, headers: { authorization: `Bearer ${TOKEN}` }, agent: false });
    const cmResponse = new Promise<{ headers: Record<string, unknown> }>((resolve, reject) => {
      cmWatch.on('response', resolve);
      cmWatch.on('error', reject);
    });
    cmWatch.end();
    const cmId = (await cmResponse).headers['audit-id'];
    cmWatch.destroy();
    await until('the configmaps watch\'s ResponseComplete event is written', async () => {
      await flushed(server);
      return events(path).some((e) => e.auditID === cmId && e.stage === 'ResponseComplete');
    }, 5000);
    const log = events(path);
    expect(log.filter((e) => e.auditID === cmId).map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
    const watchEvents = log.filter((e) => e.auditID === watchId);
    expect(watchEvents.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    expect(watchEvents[0].responseStatus).toBeUndefined();
    expect(watchEvents[1]).toMatchObject({ verb: 'watch', user: { username: 'carol' }, objectRef: { resource: 'pods', namespace: 'default' }, responseStatus: { code: 200 } });
    // A request that is not long-running: RequestReceived (no response yet) and ResponseComplete, one Audit-Id.
    const get = log.filter((e) => e.auditID === id);
    expect(get.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
    expect(get[0]).toMatchObject({ verb: 'get', user: { username: 'carol' }, objectRef: { resource: 'pods', name: 'missing' } });
    expect(get[0].responseStatus).toBeUndefined();
    expect(get[1].responseStatus).toMatchObject({ code: 404 });
    expect(Date.parse(get[1].stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(get[0].stageTimestamp));
    // Refused by authentication: no RequestReceived (nobody to decide for), one ResponseComplete.
    const refused = await httpsCall(server, { path: '/api/v1/namespaces', token: 'not-a-valid-token' });
    expect(refused.status).toBe(401);
    await flushed(server);
    expect(events(path).filter((e) => e.auditID === refused.headers['audit-id']).map((e) => e.stage)).toEqual(['ResponseComplete']);
  } finally {
    await server.close();
  }
});
