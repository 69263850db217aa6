// pods/log is relayed to the node agent named by the pod's node (daemonEndpoints + InternalIP).
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import type { Server } from 'node:http';
import { client, pod } from './support/server.ts';
import { startTestServer } from '../src/testing/index.ts';
import type { Client, TestServer } from './support/server.ts';

let server: TestServer;
let api: Client;
let agent: Server;
const requests: string[] = [];

beforeAll(async () => {
  agent = createServer((req, res) => {
    requests.push(req.url!);
    if (req.url!.includes('/missing/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'container not found', reason: 'NotFound', code: 404 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('line 1\nline 2\n');
  });
  // The agent's exec endpoint: echoes the command on stdout (channel 1), then the first stdin frame,
  // then a Success status (channel 3).
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });
  agent.on('upgrade', (req, socket, head) => {
    requests.push(req.url!);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const cmd = new URL(req.url!, 'http://a').searchParams.getAll('command');
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(cmd.join(' ') + '\n')]));
      // Like `head -c5`: echoes the first stdin frame, then the command ends.
      ws.once('message', (m: Buffer) => {
        ws.send(Buffer.concat([Buffer.from([1]), m.subarray(1)]));
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from('{"metadata":{},"status":"Success"}')]));
        ws.close(1000);
      });
    });
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', () => r()));
  const port = (agent.address() as { port: number }).port;
  server = await startTestServer();
  api = client(server.url);
  await api('POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  });
  await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'silent' } });
  await api('POST', '/api/v1/namespaces/default/pods', pod('logged', { spec: { nodeName: 'n1' } }));
  await api('POST', '/api/v1/namespaces/default/pods', pod('unbound'));
  await api('POST', '/api/v1/namespaces/default/pods', pod('on-silent', { spec: { nodeName: 'silent' } }));
});
afterAll(async () => {
  await server.close();
  await new Promise((r) => agent.close(r));
});

test('logs are relayed from the agent with the query parameters', async () => {
  const r = await api('GET', '/api/v1/namespaces/default/pods/logged/log?container=main&tailLines=10&timestamps=true&ignored=x');
  expect(r.status).toBe(200);
  expect(r.text).toBe('line 1\nline 2\n');
  expect(r.headers.get('content-type')).toBe('text/plain');
  expect(requests.at(-1)).toBe('/containerLogs/default/logged/main?tailLines=10&timestamps=true');
  const defaulted = await api('GET', '/api/v1/namespaces/default/pods/logged/log');
  expect(defaulted.status).toBe(200);
  expect(requests.at(-1)).toBe('/containerLogs/default/logged/main');
});

test('errors: unknown container 400, unbound pod 400, node without endpoint 503, exec without upgrade 400', async () => {
  expect((await api('GET', '/api/v1/namespaces/default/pods/logged/log?container=nope')).status).toBe(400);
  const unbound = await api('GET', '/api/v1/namespaces/default/pods/unbound/log');
  expect(unbound.status).toBe(400);
  expect(unbound.body.message).toBe('pod unbound does not have a host assigned');
  const silent = await api('GET', '/api/v1/namespaces/default/pods/on-silent/log');
  expect(silent.status).toBe(503);
  expect(silent.body.reason).toBe('ServiceUnavailable');
  const exec = await api('GET', '/api/v1/namespaces/default/pods/logged/exec?command=ls&container=main&stdout=true');
  expect(exec.status).toBe(400);
  expect((await api('GET', '/api/v1/namespaces/default/pods/gone/log')).status).toBe(404);
});

function execThroughServer(path: string): Promise<{ protocol: string; frames: Buffer[]; error?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}${path}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    const frames: Buffer[] = [];
    ws.on('open', () => ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('typed')])));
    ws.on('message', (m: Buffer) => frames.push(m));
    ws.on('close', () => resolve({ protocol: ws.protocol, frames }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ protocol: '', frames, error: `${res.statusCode} ${body}` }));
    });
    ws.on('error', () => {});
  });
}

test('exec upgrades are relayed to the agent and frames pass both ways', async () => {
  const r = await execThroughServer('/api/v1/namespaces/default/pods/logged/exec?command=echo&command=hi&container=main&stdout=true&stderr=true');
  expect(r.error).toBeUndefined();
  expect(r.protocol).toBe('v5.channel.k8s.io');
  expect(requests.at(-1)).toBe('/exec/default/logged/main?command=echo&command=hi&stdout=true&stderr=true');
  const text = r.frames.map((f) => `${f[0]}:${f.subarray(1).toString()}`);
  expect(text).toEqual(['1:echo hi\n', '1:typed', '3:{"metadata":{},"status":"Success"}']);
});

test('exec upgrades for unbound pods, missing pods and silent nodes get a Status', async () => {
  expect((await execThroughServer('/api/v1/namespaces/default/pods/unbound/exec?command=ls')).error).toMatch(/^400 .*does not have a host assigned/);
  expect((await execThroughServer('/api/v1/namespaces/default/pods/gone/exec?command=ls')).error).toMatch(/^404 .*pods \\"gone\\" not found/);
  expect((await execThroughServer('/api/v1/namespaces/default/pods/on-silent/exec?command=ls')).error).toMatch(/^503 /);
});
