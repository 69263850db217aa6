// The repair loop of Service address claims over HTTP (kube-apiserver's ClusterIP and NodePort
// repair controllers): a claim left by a server that died between claiming an address and storing
// its Service is given back after a few passes, so the address can be had again; an address a
// Service holds without a claim (stored before claims existed, or its claim lost) is claimed again.
import { startTestServer, until, type TestServer } from '../src/testing/index.ts';
import { CLAIMS_RESOURCE } from '../src/registry/service-claims.ts';
import { client } from './support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ claimRepair: { intervalMs: 100 } });
});
afterAll(() => server.close());

const SERVICES = '/api/v1/namespaces/default/services';
const service = (name: string, clusterIP?: string, nodePort?: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: nodePort ? 'NodePort' : 'ClusterIP', selector: { app: name }, ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }], ...(clusterIP ? { clusterIP } : {}) },
});
const claimKey = (name: string) => ({ resource: CLAIMS_RESOURCE, namespace: '', name });

test('a leaked claim (its Service never stored) is given back: the address can be asked for again', async () => {
  const api = client(server.url);
  // What a server that died after claiming, before storing the Service, leaves behind.
  await server.storage.create(claimKey('ip-10.96.200.200'), { apiVersion: 'v1', kind: 'AddressClaim', metadata: { name: 'ip-10.96.200.200', annotations: { 'skiff.io/service': 'default/ghost' } } });
  await server.storage.create(claimKey('port-31999'), { apiVersion: 'v1', kind: 'AddressClaim', metadata: { name: 'port-31999', annotations: { 'skiff.io/service': 'default/ghost' } } });
  const refused = await api('POST', SERVICES, service('wants-it', '10.96.200.200', 31999));
  expect(refused.status).toBe(422);
  expect(refused.body.message).toContain('already allocated');
  const created = await until('the leaked claims are given back', async () => {
    const r = await api('POST', SERVICES, service('wants-it', '10.96.200.200', 31999));
    return r.status === 201 ? r : undefined;
  }, 15_000);
  expect(created.body.spec.clusterIP).toBe('10.96.200.200');
  expect(created.body.spec.ports[0].nodePort).toBe(31999);
  // Claimed again, now for the Service that has them, and kept across later passes.
  const holder = async (name: string) => (await server.storage.get(claimKey(name)))?.metadata.annotations?.['skiff.io/service'];
  expect(await holder('ip-10.96.200.200')).toBe('default/wants-it');
  expect(await holder('port-31999')).toBe('default/wants-it');
});

test('an address a Service holds without a claim is claimed for it again, so no other Service gets it', async () => {
  const api = client(server.url);
  const kept = await api('POST', SERVICES, service('kept', undefined, 31888));
  expect(kept.status).toBe(201);
  const ip = kept.body.spec.clusterIP as string;
  // As if stored before claims existed: the claims go, the Service stays.
  await server.storage.delete(claimKey(`ip-${ip}`));
  await server.storage.delete(claimKey('port-31888'));
  await until('the claims are taken again', async () => (await server.storage.get(claimKey(`ip-${ip}`))) && (await server.storage.get(claimKey('port-31888'))), 15_000);
  const taken = await api('POST', SERVICES, service('same-ip', ip));
  expect(taken.status).toBe(422);
  expect(taken.body.message).toContain('already allocated');
  const samePort = await api('POST', SERVICES, service('same-port', undefined, 31888));
  expect(samePort.status).toBe(422);
  expect((await api('GET', `${SERVICES}/kept`)).body.spec.clusterIP).toBe(ip);
});
