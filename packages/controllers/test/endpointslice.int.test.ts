// EndpointSlices against a real API server: the controller splits a Service's pods into slices of
// at most 100, marks a terminating pod as Kubernetes does, mirrors a selector-less Service's
// Endpoints and deletes the slices with the Service; kubectl lists them; invalid slices are refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENDPOINT_SLICES, SERVICE_NAME_LABEL, type KubeObject } from '@skiff/api';
import { ApiError } from '@skiff/client';
import { until } from '@skiff/apiserver/testing';
import { ENDPOINTS, PODS, SERVICES } from '../src/lib/resources.ts';
import { kubectl, startCluster, startManager, startSimulatedKubelet, type Cluster } from './harness.ts';

type Slice = KubeObject & { endpoints: { addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean }; targetRef?: { name: string } }[] };

let cluster: Cluster;
let cacheDir: string;
beforeAll(async () => {
  cluster = await startCluster();
  cacheDir = mkdtempSync(join(tmpdir(), 'skiff-kubectl-'));
});
afterAll(async () => {
  await cluster.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const pod = (name: string, app: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app }, ...extra },
  spec: { nodeName: 'n1', containers: [{ name: 'web', image: 'web:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
});
const service = (name: string, selector?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { ...(selector ? { selector } : {}), ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
});
const slicesOf = async (svc: string) => (await cluster.client.list(ENDPOINT_SLICES, { namespace: 'default', labelSelector: `${SERVICE_NAME_LABEL}=${svc}` })).items as Slice[];

test('a Service of 105 ready pods: two slices, 100 and 5 endpoints; kubectl lists them', async () => {
  const { client, url } = cluster;
  const kubelet = startSimulatedKubelet(client);
  const manager = startManager(url, { controllers: ['endpointslice'] });
  try {
    for (let i = 0; i < 105; i += 15) await Promise.all(Array.from({ length: 15 }, (_, j) => client.create(PODS, pod(`many-${i + j}`, 'many'))));
    await client.create(SERVICES, service('many', { app: 'many' }));
    const slices = await until('105 ready endpoints in slices', async () => {
      const s = await slicesOf('many');
      return s.flatMap((x) => x.endpoints).filter((e) => e.conditions.ready).length === 105 && s;
    }, 30_000);
    expect(slices.map((s) => s.endpoints.length).sort((a, b) => a - b)).toEqual([5, 100]);
    for (const s of slices) {
      expect(s).toMatchObject({ addressType: 'IPv4', ports: [{ name: 'web', port: 8080, protocol: 'TCP' }], metadata: { labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }, ownerReferences: [{ kind: 'Service', name: 'many', controller: true }] } });
    }
    const out = await kubectl(url, cacheDir, ['get', 'endpointslices', '-l', `${SERVICE_NAME_LABEL}=many`]);
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n')[0]).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/);
    expect(out.stdout).toMatch(/many-\S+\s+IPv4\s+8080\s+\S+,\S+,\S+ \+ 97 more\.\.\./);

    // Deleting the Service deletes its slices.
    await client.delete(SERVICES, 'default', 'many');
    await until('slices deleted with the service', async () => (await slicesOf('many')).length === 0, 20_000);
  } finally {
    await manager.stop();
    kubelet.stop();
  }
}, 60_000);

test('a terminating pod stays listed: not ready, serving, terminating; gone once deleted', async () => {
  const { client, url } = cluster;
  const kubelet = startSimulatedKubelet(client);
  const manager = startManager(url, { controllers: ['endpointslice'] });
  try {
    // The finalizer keeps the pod terminating after the kubelet's final delete.
    await client.create(PODS, pod('held', 'held', { finalizers: ['test.skiff.dev/hold'] }));
    await client.create(PODS, pod('other', 'held'));
    await client.create(SERVICES, service('held', { app: 'held' }));
    await until('both ready', async () => (await slicesOf('held')).flatMap((s) => s.endpoints).filter((e) => e.conditions.ready).length === 2, 20_000);
    await client.delete(PODS, 'default', 'held');
    const e = await until('held terminating in its slice', async () => (await slicesOf('held')).flatMap((s) => s.endpoints).find((x) => x.targetRef?.name === 'held' && x.conditions.terminating), 20_000);
    expect(e.conditions).toEqual({ ready: false, serving: true, terminating: true });
    await client.patch(PODS, 'default', 'held', { metadata: { finalizers: null } }, 'merge');
    await until('held gone from the slices', async () => {
      const all = (await slicesOf('held')).flatMap((s) => s.endpoints);
      return all.length === 1 && all[0].targetRef?.name === 'other';
    }, 20_000);
  } finally {
    await manager.stop();
    kubelet.stop();
  }
}, 60_000);

test('a Service without a selector: its Endpoints are mirrored into a slice', async () => {
  const { client, url } = cluster;
  const manager = startManager(url, { controllers: ['endpointslice'] });
  try {
    await client.create(SERVICES, service('outside'));
    await client.create(ENDPOINTS, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'outside', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ name: 'web', port: 443, protocol: 'TCP' }] }] });
    const [s] = await until('mirrored slice', async () => {
      const list = await slicesOf('outside');
      return list.length === 1 && list[0].endpoints.length === 1 && list;
    }, 20_000);
    expect(s).toMatchObject({ ports: [{ name: 'web', port: 443, protocol: 'TCP' }], endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true } }], metadata: { labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } } });
  } finally {
    await manager.stop();
  }
}, 30_000);

test('an invalid slice is refused with every failing field', async () => {
  const err = await cluster.client
    .create(ENDPOINT_SLICES, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'bad', namespace: 'default' }, addressType: 'IPv5', endpoints: [{ addresses: [] }, { addresses: ['10.0.0.1'], hostname: 'Not_A_Label' }], ports: [{ name: 'a', port: 70000, protocol: 'TCP' }, { name: 'a', protocol: 'ICMP' }] } as KubeObject)
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(422);
  const fields = ((err as ApiError).status.details?.causes ?? []).map((c) => c.field).sort();
  expect(fields).toEqual(['addressType', 'endpoints[0].addresses', 'endpoints[1].hostname', 'ports[0].port', 'ports[1].name', 'ports[1].protocol']);
});
