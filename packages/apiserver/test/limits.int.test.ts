// Limits (issue 12 §4) against a real HTTPS server: requests over --max-mutating-requests-inflight
// and --max-requests-inflight get 429 with Retry-After and a Status, while system:masters and
// long-running requests (watches) are not counted; failed authentication from one address is cut
// off with 429 before its credentials are checked, and a certificate still gets in.
import { startTestServer, until, type TestServer } from '../src/testing/index.ts';
import { parseStaticTokens } from '../src/auth/index.ts';
import { bindClusterRoleToGroup, heldCall, httpsCall } from './support/https.ts';

const TOKEN = 'limits-token-0123456789';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    https: true,
    authentication: { staticTokens: parseStaticTokens(`${TOKEN},bob,uid-bob,"devs"\n`), tokenCacheMs: 0 },
    limits: { maxRequestsInflight: 2, maxMutatingRequestsInflight: 1, authFailures: { burst: 3, perSecond: 0.01 } },
  });
  // bob (group devs) may do anything, though not as system:masters (whom the limits exempt).
  await bindClusterRoleToGroup(server, 'cluster-admin', 'devs');
});
afterAll(() => server.close());

const inflight = () => server.app.skiff.inflight!.current;
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

function expectTooMany(r: { status: number; body: any; headers: Record<string, unknown> }, message: RegExp) {
  expect(r.status).toBe(429);
  expect(r.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'TooManyRequests', code: 429 });
  expect(r.body.message).toMatch(message);
  expect(r.body.details.retryAfterSeconds).toBe(Number(r.headers['retry-after']));
}

test('a mutating request beyond --max-mutating-requests-inflight gets 429; masters are exempt; the slot comes back', async () => {
  const held = heldCall(server, { path: '/api/v1/namespaces/default/configmaps', method: 'POST', token: TOKEN, body: cm('held') });
  await until('the held create is in flight', () => inflight().mutating === 1, 5000);
  expectTooMany(await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps', method: 'POST', token: TOKEN, body: cm('refused') }), /Too many requests/);
  // A read-only request has its own budget.
  expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps', token: TOKEN })).status).toBe(200);
  // system:masters is never limited (Kubernetes exempts it so an administrator can always act).
  expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps', method: 'POST', cert: server.tls!.admin, body: cm('admin') })).status).toBe(201);
  held.release();
  expect((await held.result).status).toBe(201);
  await until('the slot is given back', () => inflight().mutating === 0, 5000);
  expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps', method: 'POST', token: TOKEN, body: cm('after') })).status).toBe(201);
  expect(server.app.skiff.inflight!.dropped.mutating).toBe(1);
});

test('read-only requests beyond --max-requests-inflight get 429; watches do not count', async () => {
  const watches = [0, 1, 2].map(() => new AbortController());
  const opened = await Promise.all(watches.map((ac) => fetchWatch(ac)));
  expect(opened).toEqual([200, 200, 200]);
  expect(inflight().readOnly).toBe(0);
  // A read stays in flight while its answer has not been taken: lists of ~11 MB, more than the
  // socket buffers hold, read by clients that pause.
  const big = 'x'.repeat(900 * 1024);
  for (let i = 0; i < 12; i++) expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps', method: 'POST', cert: server.tls!.admin, body: { ...cm(`big-${i}`), data: { big } } })).status).toBe(201);
  const held = [slowRead(), slowRead()];
  await until('two reads are in flight', () => inflight().readOnly === 2, 5000);
  expectTooMany(await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps/held', token: TOKEN }), /Too many requests/);
  expect((await Promise.all(held.map((h) => h.drain()))).map((r) => r)).toEqual([200, 200]);
  await until('the slots are given back', () => inflight().readOnly === 0, 5000);
  expect((await httpsCall(server, { path: '/api/v1/namespaces/default/configmaps/held', token: TOKEN })).status).toBe(200);
  for (const ac of watches) ac.abort();
});

/** A list of the ConfigMaps (~11 MB) as bob whose answer is not read until drain(). */
function slowRead(): { drain(): Promise<number> } {
  const url = new URL(server.url);
  let res: import('node:http').IncomingMessage | undefined;
  const got = new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    void import('node:https').then(({ request }) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/v1/namespaces/default/configmaps', headers: { authorization: `Bearer ${TOKEN}` }, ca: server.tls!.ca, agent: false }, (r) => {
        r.pause();
        resolve((res = r));
      });
      req.on('error', reject);
      req.end();
    });
  });
  return {
    async drain() {
      const r = res ?? (await got);
      await new Promise<void>((resolve) => {
        r.on('end', resolve);
        r.resume();
      });
      return r.statusCode!;
    },
  };
}

/** A watch as bob, over a raw HTTPS request; resolves with the status once the stream is open. */
function fetchWatch(ac: AbortController): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${server.url}/api/v1/namespaces/default/configmaps?watch=true`);
    void import('node:https').then(({ request }) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { authorization: `Bearer ${TOKEN}` }, ca: server.tls!.ca, agent: false, signal: ac.signal }, (res) => {
        res.on('error', () => {});
        resolve(res.statusCode!);
      });
      req.on('error', (e) => (ac.signal.aborted ? undefined : reject(e)));
      req.end();
    });
  });
}

test('failed authentication from one address: 401 up to the burst, then 429 before checking; a certificate still works', async () => {
  for (let i = 0; i < 3; i++) expect((await httpsCall(server, { path: '/api/v1/namespaces', token: `wrong-${i}` })).status).toBe(401);
  expectTooMany(await httpsCall(server, { path: '/api/v1/namespaces', token: 'wrong-3' }), /too many failed authentication attempts/);
  // Checked before verification: even the right token waits (a guesser cannot tell it from a miss).
  expect((await httpsCall(server, { path: '/api/v1/namespaces', token: TOKEN })).status).toBe(429);
  expect((await httpsCall(server, { path: '/api/v1/namespaces', cert: server.tls!.admin })).status).toBe(200);
  // A request without credentials is not an attempt: still 401, not 429.
  expect((await httpsCall(server, { path: '/api/v1/namespaces' })).status).toBe(401);
  expect(server.app.skiff.authFailures!.refused).toBe(2);
});
