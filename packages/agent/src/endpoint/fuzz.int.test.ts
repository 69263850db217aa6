// The agent's endpoint under generated input (issue 13 §1), on a real socket with the simulated
// runtime: requests to every path it serves (logs, exec, attach, port-forward, health) and
// anything else, with malformed percent-encodings and hostile query values; upgrade requests with
// every combination of WebSocket and SPDY headers; and SPDY/3 sessions fed generated frames
// (valid streams, data, resets, pings, truncated and garbage frames, compressed and corrupt header
// blocks). Never a 5xx, never an upgrade left unanswered, never a crash; the endpoint still serves
// afterwards. Port-forward targets an address of the test's own on the loopback range, where one
// echo server listens (every other port refuses).
import { request, Agent } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { SimRuntime } from '../runtime/sim.ts';
import { LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE } from '../runtime/types.ts';
import { startEndpoint, type AgentEndpoint } from './server.ts';
import { dataFrames, pingFrame, rstStreamFrame } from './spdy/frames.ts';
import { spdyClientFrames } from '../../test/support/spdy-client.ts';

const POD_HOST = '127.0.98.1';
const HTTP_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const UPGRADE_RUNS = 2_000;
const SPDY_RUNS = 1_000;

let endpoint: AgentEndpoint;
let echo: Server;
let echoPort: number;
const echoSockets = new Set<Socket>();
const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  const runtime = new SimRuntime({ images: ['skiff/busybox:1'] });
  const labels = { [LABEL_NODE_NAME]: 'fz', [LABEL_POD_NAMESPACE]: 'default', [LABEL_POD_NAME]: 'target', [LABEL_CONTAINER_NAME]: 'main' };
  const id = await runtime.create({ name: 'fz-main', image: 'skiff/busybox:1', env: [], labels, ports: [] });
  await runtime.start(id);
  echo = createServer((s) => {
    echoSockets.add(s);
    s.on('close', () => echoSockets.delete(s));
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, POD_HOST, r));
  echoPort = (echo.address() as { port: number }).port;
  endpoint = await startEndpoint({ runtime, nodeName: 'fz', host: '127.0.0.1', port: 0, log: () => undefined, podIP: (ns, pod) => (ns === 'default' && pod === 'target' ? POD_HOST : undefined) });
});
afterAll(async () => {
  keepAlive.destroy();
  await endpoint?.close();
  for (const s of echoSockets) s.destroy();
  await new Promise((r) => echo?.close(r));
}, 60_000);

const SEGMENTS = ['default', 'target', 'main', 'nope', '%E0%A4%A', '%ZZ', '%2F', '..', '%00', 'ü', '', 'x'.repeat(300)];
const ROOTS = ['containerLogs', 'exec', 'attach', 'portForward', 'healthz', 'x', '%E0%A4%A'];
const path = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...ROOTS), fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 4 })).map(([root, segs]) => `/${[root, ...segs].join('/')}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `/${encodeURI(s)}`) },
);
const VALUES = ['', '0', '1', '-1', 'true', 'false', 'True', 'yes', '1e300', '9223372036854775807', '9223372036854775808', '18446744073709551616', '+5', '0x10', '%', 'ü', 'sh', 'x'.repeat(200)];
const PARAMS = ['follow', 'tailLines', 'sinceSeconds', 'timestamps', 'previous', 'limitBytes', 'command', 'stdin', 'stdout', 'stderr', 'tty', 'container', 'ports', 'x'];
const query = fc.array(fc.tuple(fc.constantFrom(...PARAMS), fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 8 }))), { maxLength: 5 }).map((pairs) =>
  // A follow of a running container streams until the client goes: left out of the request part.
  pairs.filter(([k]) => k !== 'follow').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
);

function httpGet(method: string, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: endpoint.port, method, path: target, agent: keepAlive, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

test(`${HTTP_RUNS} generated requests: never a 5xx`, async () => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'), path, query, async (method, p, q) => {
      const code = await httpGet(method, q ? `${p}?${q}` : p);
      statuses.set(code, (statuses.get(code) ?? 0) + 1);
      if (code >= 500 || code === 0) throw new Error(`${method} ${p}?${q} -> ${code}`);
    }),
    { numRuns: HTTP_RUNS, verbose: 0 },
  );
  // The generator reaches logs that answer, and each kind of refusal.
  expect([200, 400, 404, 405].filter((c) => statuses.has(c))).toEqual([200, 400, 404, 405]);
}, 180_000);

/** A raw request on its own socket; resolves with the answer's status code (0 when none) and the socket. */
function raw(target: string, headers: [string, string][], after?: (s: Socket) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(endpoint.port, '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`));
    let out = '';
    let code = 0;
    s.on('data', (d: Buffer) => {
      if (code) return;
      out += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/.exec(out);
      if (!m) return;
      code = Number(m[1]);
      if (code === 101 && after) after(s);
      else s.destroy();
      resolve(code);
    });
    s.on('close', () => resolve(code));
    s.on('error', () => resolve(code));
    s.setTimeout(5000, () => {
      s.destroy();
      reject(new Error(`no answer to an upgrade of ${target}`));
    });
  });
}

const UPGRADE_HEADERS: [string, string][] = [
  ['Connection', 'Upgrade'],
  ['Upgrade', 'websocket'],
  ['Upgrade', 'SPDY/3.1'],
  ['Upgrade', 'garbage'],
  ['Sec-WebSocket-Version', '13'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ['Sec-WebSocket-Protocol', 'v5.channel.k8s.io'],
  ['Sec-WebSocket-Protocol', 'SPDY/3.1+portforward.k8s.io'],
  ['X-Stream-Protocol-Version', 'portforward.k8s.io'],
  ['X-Stream-Protocol-Version', 'v4.channel.k8s.io'],
];

test(`${UPGRADE_RUNS} generated upgrade requests: a 101 or a 4xx, never a 5xx or silence`, async () => {
  const codes = new Set<number>();
  const served = fc.constantFrom('/exec/default/target/main', '/attach/default/target/main', '/portForward/default/target', '/portForward/default/nope');
  await fc.assert(
    fc.asyncProperty(fc.oneof(served, path), query, fc.subarray(UPGRADE_HEADERS, { minLength: 1 }), async (p, q, headers) => {
      const code = await raw(q ? `${p}?${q}` : p, [['Connection', 'Upgrade'], ...headers], (s) => s.destroy());
      codes.add(code);
      if (code === 0 || code >= 500) throw new Error(`upgrade ${p}?${q} with ${JSON.stringify(headers)} -> ${code}`);
    }),
    { numRuns: UPGRADE_RUNS, verbose: 0 },
  );
  expect([...codes]).toEqual(expect.arrayContaining([101, 400, 404]));
}, 120_000);

type Op =
  | { op: 'stream'; id: number; type: string; port: string; requestId: string; fin: boolean }
  | { op: 'data'; id: number; data: Uint8Array; fin: boolean }
  | { op: 'rst'; id: number }
  | { op: 'ping'; id: number }
  | { op: 'garbage'; bytes: Uint8Array };

const streamId = fc.oneof(fc.constantFrom(1, 3, 5, 7, 2, 0), fc.nat());
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('stream' as const), id: streamId, type: fc.constantFrom('error', 'data', 'x', ''), port: fc.oneof(fc.constant('ECHO'), fc.constantFrom('1', '0', '65536', 'x', '', '99999')), requestId: fc.constantFrom('0', '1', ''), fin: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('data' as const), id: streamId, data: fc.uint8Array({ maxLength: 64 }), fin: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rst' as const), id: streamId }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ping' as const), id: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }) },
);

test(`${SPDY_RUNS} port-forward sessions fed generated SPDY frames: no crash, the endpoint serves on`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
      const code = await raw('/portForward/default/target', [['Connection', 'Upgrade'], ['Upgrade', 'SPDY/3.1'], ['X-Stream-Protocol-Version', 'portforward.k8s.io']], (s) => {
        s.on('error', () => undefined);
        void (async () => {
          const client = spdyClientFrames();
          try {
            for (const o of ops) {
              if (s.destroyed) return;
              if (o.op === 'stream') s.write(await client.synStream(o.id, { streamtype: o.type, port: o.port === 'ECHO' ? String(echoPort) : o.port, requestid: o.requestId }, o.fin));
              else if (o.op === 'data') for (const f of dataFrames(o.id, Buffer.from(o.data), o.fin)) s.write(f);
              else if (o.op === 'rst') s.write(rstStreamFrame(o.id, 5));
              else if (o.op === 'ping') s.write(pingFrame(o.id));
              else s.write(Buffer.from(o.bytes));
            }
          } finally {
            client.close();
            s.end();
          }
        })();
      });
      if (code !== 101) throw new Error(`SPDY upgrade -> ${code}`);
    }),
    { numRuns: SPDY_RUNS, verbose: 0 },
  );
  expect(await httpGet('GET', '/healthz')).toBe(200);
}, 120_000);
