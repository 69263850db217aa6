// Every route of the API server under generated input (issue 13 §1): methods, paths built from the
// resource registry (collections, items, every subresource, discovery, OpenAPI, health) with
// valid and malformed percent-encodings, every query parameter the server reads with hostile
// values, content types, Accept headers and bodies. Over 100,000 inputs in a bounded run:
//   - through fastify's own request pipeline (app.inject: the same routes, parsers, hooks and
//     error handler as a socket, without the per-request TCP cost, so the count fits a CI minute);
//   - upgrade requests (exec, attach, port-forward, anything) over real sockets, since those are
//     taken on the HTTP server's 'upgrade' event that inject never reaches.
// Zero 5xx, no crash, and nothing stored on a 4xx. Watches are left out of the inject part (a
// watch answers 200 and streams until its timeout); list-watch.int.test.ts covers them.
import { connect } from 'node:net';
import fc from 'fast-check';
import { RESOURCES, apiVersionOf } from '@skiff/api';
import { startTestServer, type TestServer } from '../src/testing/index.ts';

let server: TestServer;
// 96,000 on SQLite (with the upgrades, the 100,000 inputs issue 13 asks for). The etcd project runs
// the same property for the backend's sake with fewer inputs: each 4xx there costs a quorum read of
// the revision, and 96,000 of them took 203 s of a 240 s budget on a loaded machine.
const INJECT_RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.SKIFF_TEST_DATASTORE === 'etcd' ? 24_000 : 96_000));
const UPGRADE_RUNS = 4_000;

beforeAll(async () => {
  server = await startTestServer();
  // Objects for item routes to find: a pod without a node (exec/log/attach answer 400, never a
  // 503 for a missing agent) and a deployment.
  const post = (url: string, payload: unknown) => server.app.inject({ method: 'POST', url, payload: payload as object });
  await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target' }, spec: { containers: [{ name: 'main', image: 'skiff/busybox:1' }] } });
  await post('/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'target' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'main', image: 'skiff/busybox:1' }] } } },
  });
});
afterAll(() => server?.close());

const NAMES = ['target', 'default', 'kube-system', 'nope', 'a.b-c', '%E0%A4%A', '%ZZ', '%2F', '..', 'x'.repeat(300), '%00', 'ü', ''];
const SUBS = ['', '/status', '/scale', '/binding', '/log', '/exec', '/attach', '/portforward', '/eviction', '/ephemeralcontainers', '/proxy', '/%E0%A4%A', '/x/y'];
const OTHER_PATHS = ['/', '/api', '/apis', '/api/v1', '/apis/apps/v1', '/apis/apps', '/apis/nope/v1', '/version', '/version/', '/healthz', '/readyz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/openapi/v3/api/v1', '/openapi/v3/apis/apps/v1?hash=x', '/%E0%A4%A', '/api/v1/%'];

const path = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...RESOURCES), fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), fc.constantFrom(...SUBS), fc.boolean(), fc.boolean()).map(([r, ns, name, sub, inNs, item]) => {
    const gv = r.group ? `/apis/${apiVersionOf(r)}` : '/api/v1';
    const coll = r.scope === 'Namespaced' && inNs ? `${gv}/namespaces/${ns}/${r.plural}` : `${gv}/${r.plural}`;
    return item ? `${coll}/${name}${sub}` : coll;
  }) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER_PATHS) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom('api', 'apis', 'v1', 'namespaces', 'pods', '%', '%E0%A4%A', '..'), fc.string({ maxLength: 8 })), { maxLength: 7 }).map((segs) => `/${segs.map(encodeURI).join('/')}`) },
);

const VALUES = ['', '0', '1', '-1', '1e300', '9223372036854775807', '9223372036854775808', '-9223372036854775809', '1.5', '0x10', 'true', 'false', 'True', 'All', 'Strict', 'Warn', 'Ignore', 'Foreground', 'Orphan', 'a=b', 'a in (b', '!a', 'metadata.name=target', 'spec.nodeName!=', 'x==y', '%', 'ü', 'garbage', 'eyJ4IjoxfQ', 'Object', 'main', '2024-01-01T00:00:00Z', 'x'.repeat(200)];
// Every query parameter a route reads. watch is never true here (see the header).
const PARAMS = ['limit', 'continue', 'labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents', 'gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty', 'includeObject', 'container', 'command', 'stdin', 'stdout', 'tty', 'follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes', 'ports', 'hash', 'watch', 'x'];
const query = fc.array(fc.tuple(fc.constantFrom(...PARAMS), fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 12 }))), { maxLength: 5 }).map((pairs) =>
  pairs.filter(([k, v]) => !(k === 'watch' && /^(1|t|true)$/i.test(v)) && !(k === 'follow')).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
);

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/yaml', 'application/apply-patch+yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/vnd.kubernetes.protobuf', 'text/plain', 'multipart/form-data; boundary=x', 'garbage', '*/*', ''];
const ACCEPTS = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', 'application/vnd.kubernetes.protobuf', 'application/yaml', 'text/html', '*/*', 'garbage;;;', ''];

const podJson = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fz' }, spec: { containers: [{ name: 'main', image: 'skiff/busybox:1' }] } };
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ ...podJson, spec: v })),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: v, propagationPolicy: v, dryRun: v })),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: v }, { op: 'add', path: '/x', value: v }])),
  fc.constantFrom('apiVersion: v1\nkind: Pod\nmetadata:\n  name: fz\n  labels: {a: "\\x41"}\n', 'a: [', '{"a":1,"a":2}', 'k8s\u0000garbage', '---\n---\n', '*a', '&a [*a, *a]', 'null', '[]', '""'),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('k8s\u0000'), Buffer.from(b)]).toString('latin1')),
);

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  path,
  query,
  contentType: fc.constantFrom(...CONTENT_TYPES),
  accept: fc.constantFrom(...ACCEPTS),
  body,
});

test(`${INJECT_RUNS} generated requests over every route: never a 5xx, nothing stored on a 4xx`, async () => {
  const statuses = new Map<number, number>();
  // The store's revision, read through (server.revision()): on etcd storage.currentRevision() is
  // the watch stream's progress, which lags the writes (beforeAll's, a 201's) and moves on its own.
  // Re-read after every answer that may have written; a 4xx must leave it where it was.
  let revision = await server.revision();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      // Deleting a namespace starts the namespace controller's background writes, which would
      // blur the "nothing stored" check of later requests: namespaces are only read here.
      if (r.method === 'DELETE' && /\/namespaces(\/[^/]*)?$/.test(r.path)) return;
      const headers: Record<string, string> = {};
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.accept) headers.accept = r.accept;
      const res = await server.app.inject({ method: r.method as 'GET', url: r.query ? `${r.path}?${r.query}` : r.path, headers, payload: r.body });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode < 400) revision = await server.revision();
      if (res.statusCode >= 500) throw new Error(`${r.method} ${r.path}?${r.query} -> ${res.statusCode}: ${res.body.slice(0, 500)}`);
      if (res.statusCode >= 400) {
        expect(await server.revision()).toBe(revision);
        if (r.method !== 'HEAD') expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: res.statusCode });
      }
    }),
    { numRuns: INJECT_RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31), verbose: 0 },
  );
  // The generator reaches the interesting answers, not only 404s. (Random bodies rarely make a
  // valid object, so 201 is not required; fuzz.int.test.ts plants values into valid objects.)
  const reached = [200, 400, 404, 405, 415, 422].filter((code) => (statuses.get(code) ?? 0) > 0);
  expect({ reached, statuses: Object.fromEntries(statuses) }).toMatchObject({ reached: [200, 400, 404, 405, 415, 422] });
}, 240_000);

/** One raw upgrade request; resolves with the status code of the answer (0 when none). */
function upgrade(port: number, target: string, headers: [string, string][]): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    let out = '';
    s.on('data', (d) => {
      out += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(out);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1] ?? 0)));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error(`no answer to an upgrade of ${target}`)));
  });
}

test(`${UPGRADE_RUNS} generated upgrade requests (exec, attach, port-forward, anything): a 4xx or 101, never a 5xx`, async () => {
  const port = Number(new URL(server.url).port);
  const upgradeHeaders = fc.subarray(
    [
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Sec-WebSocket-Protocol', 'v5.channel.k8s.io'],
      ['Sec-WebSocket-Protocol', 'SPDY/3.1+portforward.k8s.io'],
      ['X-Stream-Protocol-Version', 'portforward.k8s.io'],
    ] as [string, string][],
    { minLength: 2 },
  );
  const target = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NAMES), fc.constantFrom('/exec', '/attach', '/portforward', '/log', '', '/x'), query).map(
    ([ns, name, sub, q]) => `/api/v1/namespaces/${ns}/pods/${name}${sub}${q ? `?${q}` : ''}`,
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof({ weight: 5, arbitrary: target }, { weight: 1, arbitrary: path }), upgradeHeaders, async (t, headers) => {
      const code = await upgrade(port, t, [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ...headers]);
      if (code >= 500 || code === 0) throw new Error(`upgrade ${t} -> ${code}`);
    }),
    { numRuns: UPGRADE_RUNS, verbose: 0 },
  );
}, 120_000);
