// The service proxy against a real API server: Services and Endpoints are created through the
// API; the backends are TCP servers this test runs on loopback, each answering with its name.
import { SERVICES, ENDPOINTS } from '@skiff/api';
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '@skiff/api';
import { RestClient } from '@skiff/client';
import { startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { ServiceProxy } from './service-proxy.ts';


let api: TestServer;
let client: RestClient;
let proxy: ServiceProxy;
const backends: { server: Server; port: number; name: string }[] = [];

beforeAll(async () => {
  api = await startTestServer();
  client = new RestClient({ server: api.url });
  for (const name of ['a', 'b', 'c']) {
    const server = createServer((s) => s.end(name));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    backends.push({ server, port: (server.address() as AddressInfo).port, name });
  }
  proxy = new ServiceProxy({ client, nodeIP: '127.0.7.1', log: () => undefined });
  await proxy.start();
});

afterAll(async () => {
  proxy.stop();
  for (const b of backends) b.server.close();
  client.close();
  await api.close();
});

function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

async function createService(name: string, spec: Record<string, unknown>, ports: number[]) {
  const svc = await client.create<KubeObject>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'tcp', port: 8080 }], ...spec } });
  // One subset per backend: each backend is its own address:port pair on loopback.
  await client.create(ENDPOINTS, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: ports.map((port) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'tcp', port, protocol: 'TCP' }] })),
  });
  return svc;
}

test('connections to the ClusterIP go round-robin to every ready backend', async () => {
  const svc = await createService('rr', {}, backends.map((b) => b.port));
  const ip: string = svc.spec.clusterIP;
  expect(ip).toMatch(/^127\.96\.\d+\.\d+$/);
  await until('a backend answers', async () => ['a', 'b', 'c'].includes(await ask(ip, 8080)));
  const seen = [];
  for (let i = 0; i < 6; i++) seen.push(await ask(ip, 8080));
  expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
});

test('a backend that refuses is skipped; changes to the Endpoints are followed', async () => {
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as AddressInfo).port;
  dead.close();
  const svc = await createService('failover', {}, [deadPort, backends[1].port]);
  const ip: string = svc.spec.clusterIP;
  await until('backend b answers', async () => (await ask(ip, 8080)) === 'b');
  for (let i = 0; i < 4; i++) expect(await ask(ip, 8080)).toBe('b');
  await client.patch(ENDPOINTS, 'default', 'failover', { subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'tcp', port: backends[2].port, protocol: 'TCP' }] }] }, 'merge');
  await until('backend c answers', async () => (await ask(ip, 8080)) === 'c');
});

test('a NodePort service is also served on the node IP, and a deleted service stops being served', async () => {
  const svc = await createService('np', { type: 'NodePort' }, [backends[0].port]);
  const nodePort: number = svc.spec.ports[0].nodePort;
  expect(nodePort).toBeGreaterThanOrEqual(30000);
  await until('backend a answers on the node port', async () => (await ask('127.0.7.1', nodePort)) === 'a');
  await client.delete(SERVICES, 'default', 'np');
  await until('the node port closed', () => ask('127.0.7.1', nodePort).then(() => false, () => true));
});
