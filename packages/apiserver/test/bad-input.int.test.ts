// Bad input that used to end in a 500 or a wrong answer (issue 13 §1): numbers beyond what a
// parameter can hold, YAML apply patches under fieldValidation, watch timeouts beyond setTimeout's
// range, malformed upgrade targets. Each is a 4xx Status that names the problem, and stores nothing.
import { connect } from 'node:net';
import { useTestServer, pod } from './support/server.ts';

const { server, api } = useTestServer();
const PODS = '/api/v1/namespaces/default/pods';

describe('numeric query parameters are int64, as Kubernetes parses them', () => {
  test.each([
    ['gracePeriodSeconds=1e300'],
    ['gracePeriodSeconds=1.5'],
    ['gracePeriodSeconds=9223372036854775808'],
    ['gracePeriodSeconds=0x10'],
  ])('DELETE ?%s is a 400 and deletes nothing', async (qs) => {
    await api('POST', PODS, pod('grace'));
    const before = await server.revision();
    const r = await api('DELETE', `${PODS}/grace?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(await server.revision()).toBe(before);
    await api('DELETE', `${PODS}/grace?gracePeriodSeconds=0`);
  });

  test('a body gracePeriodSeconds of 1e300 is a 400, not a 500', async () => {
    await api('POST', PODS, pod('grace-body'));
    const r = await api('DELETE', `${PODS}/grace-body`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1e300 });
    expect(r.status).toBe(400);
    await api('DELETE', `${PODS}/grace-body?gracePeriodSeconds=0`);
  });

  test('the largest int64 grace period is accepted; the deletion time is the latest RFC 3339 can write', async () => {
    await api('POST', PODS, pod('grace-max', { spec: { nodeName: 'n1' } })); // bound: an unbound pod goes at once
    const r = await api('DELETE', `${PODS}/grace-max?gracePeriodSeconds=9223372036854775807`);
    expect(r.status).toBe(200);
    expect(r.body.metadata.deletionTimestamp).toBe('9999-12-31T23:59:59Z');
    await api('DELETE', `${PODS}/grace-max?gracePeriodSeconds=0`);
  });

  test.each([['limit=1e3'], ['limit=99999999999999999999'], ['timeoutSeconds=2.5'], ['timeoutSeconds=-1']])('list ?%s is a 400', async (qs) => {
    const r = await api('GET', `${PODS}?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', code: 400 });
  });

  test('pods/log options are checked before the node is asked: 400 for non-numbers, 422 for out-of-range values', async () => {
    await api('POST', PODS, pod('logs'));
    expect((await api('GET', `${PODS}/logs/log?tailLines=abc`)).status).toBe(400);
    expect((await api('GET', `${PODS}/logs/log?sinceSeconds=1e300`)).status).toBe(400);
    const r = await api('GET', `${PODS}/logs/log?tailLines=-1&sinceSeconds=0&limitBytes=0`);
    expect(r.status).toBe(422);
    expect(r.body.details.causes.map((c: { field: string }) => c.field).sort()).toEqual(['limitBytes', 'sinceSeconds', 'tailLines']);
    const both = await api('GET', `${PODS}/logs/log?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z`);
    expect(both.status).toBe(422);
  });
});

describe('server-side apply with a YAML body under fieldValidation', () => {
  const yaml = (name: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels:\n    a: "\\x41"\n${extra}spec:\n  containers:\n  - name: main\n    image: skiff/busybox:1\n`;

  test.each(['Strict', 'Warn'])('a YAML escape JSON does not know is fine under %s (it went through the JSON scanner)', async (mode) => {
    const name = `yaml-${mode.toLowerCase()}`;
    const r = await api('PATCH', `${PODS}/${name}?fieldManager=t&fieldValidation=${mode}`, yaml(name), { 'content-type': 'application/apply-patch+yaml' });
    expect(r.status).toBe(201);
    expect(r.body.metadata.labels).toEqual({ a: 'A' });
  });

  test('a duplicate YAML key is named under Strict (400) and stores nothing', async () => {
    const before = await server.revision();
    const r = await api('PATCH', `${PODS}/yaml-dup?fieldManager=t&fieldValidation=Strict`, yaml('yaml-dup', '  labels:\n    b: c\n'), { 'content-type': 'application/apply-patch+yaml' });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('key "labels" already set in map');
    expect(await server.revision()).toBe(before);
  });
});

test('a watch timeoutSeconds beyond 2,147,483 keeps the watch open (setTimeout would fire at once)', async () => {
  const ac = new AbortController();
  const res = await fetch(`${server.url}${PODS}?watch=true&timeoutSeconds=3000000`, { signal: ac.signal });
  const reader = res.body!.getReader();
  // Whatever the stream delivers first (initial ADDED events), an object created now still arrives.
  await api('POST', PODS, pod('after-watch'));
  let text = '';
  while (!text.includes('"name":"after-watch"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the watch ended early: ${text}`);
    text += Buffer.from(value).toString();
  }
  ac.abort();
});

test('an exec upgrade whose path does not decode is a 400', async () => {
  const port = Number(new URL(server.url).port);
  const answer = await new Promise<string>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () =>
      s.write(
        'GET /api/v1/namespaces/%E0%A4%A/pods/x/exec?command=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
  expect(answer).toMatch(/^HTTP\/1.1 400 /);
});

test('a malformed continue token is a 400 BadRequest, as on Kubernetes (not 410 Expired)', async () => {
  for (const name of ['page-a', 'page-b']) await api('POST', PODS, pod(name));
  for (const token of ['garbage', 'eyJ4IjoxfQ', '%25%25']) {
    const r = await api('GET', `${PODS}?limit=1&continue=${token}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(r.body.message).toContain('invalid continue token');
  }
  const first = await api('GET', `${PODS}?limit=1`);
  const token = first.body.metadata.continue;
  expect(typeof token).toBe('string');
  expect((await api('GET', `${PODS}?limit=1&continue=${token}`)).status).toBe(200);
  // A token of namespace default does not continue a list of kube-system.
  expect((await api('GET', `/api/v1/namespaces/kube-system/pods?limit=1&continue=${token}`)).status).toBe(400);
});

test('a path fastify cannot decode is a 400 Status (found by the route fuzzer)', async () => {
  const r = await api('GET', '/apis/apps/v1/namespaces/%ZZ/deployments');
  expect(r.status).toBe(400);
  expect(r.body).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
});
