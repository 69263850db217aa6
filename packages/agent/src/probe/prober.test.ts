import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimRuntime } from '../runtime/sim.ts';
import { runProbe } from './prober.ts';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? 200 : 503;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

const rt = new SimRuntime();
const target = (ip: string | undefined) => ({ runtime: rt, containerId: 'none', ip, namedPorts: new Map([['http', port]]) });

test('httpGet succeeds on 2xx/3xx and fails otherwise, by number or port name', async () => {
  expect((await runProbe({ httpGet: { path: '/healthz', port } }, target('127.0.0.1'))).ok).toBe(true);
  expect((await runProbe({ httpGet: { path: '/healthz', port: 'http' } }, target('127.0.0.1'))).ok).toBe(true);
  const bad = await runProbe({ httpGet: { path: '/other', port } }, target('127.0.0.1'));
  expect(bad).toEqual({ ok: false, message: 'HTTP probe failed with statuscode: 503' });
});

test('tcpSocket connects or reports the refusal', async () => {
  expect((await runProbe({ tcpSocket: { port } }, target('127.0.0.1'))).ok).toBe(true);
  const closed = await runProbe({ tcpSocket: { port: 1 } }, target('127.0.0.1'));
  expect(closed.ok).toBe(false);
  expect(closed.message).toMatch(/dial tcp 127.0.0.1:1: connect ECONNREFUSED/);
});

test('exec passes on exit 0 and fails otherwise', async () => {
  const id = await rt.create({ name: 'p', image: 'x', env: [], labels: {}, ports: [] });
  await rt.start(id);
  const t = { ...target(undefined), containerId: id };
  expect((await runProbe({ exec: { command: ['sh', '-c', 'exit 0'] } }, t)).ok).toBe(true);
  expect((await runProbe({ exec: { command: ['sh', '-c', 'exit 1'] } }, t)).ok).toBe(false);
});
