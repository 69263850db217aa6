// The pvc-protection and pv-protection controllers against a real API server: the API server puts
// the finalizers on every new claim and volume; a claim deleted while a scheduled pod names it
// stays (Terminating) until the pod is gone, and a volume deleted while Bound stays until it is not.
import { PERSISTENT_VOLUME_CLAIMS as PVCS, PERSISTENT_VOLUMES as PVS, PODS } from '../src/lib/resources.ts';
import type { KubeObject } from '@skiff/api';
import { until } from '@skiff/apiserver/testing';
import { startCluster, startManager, type Cluster } from './harness.ts';
import type { ControllerManager } from '../src/index.ts';

let cluster: Cluster;
let manager: ControllerManager;
beforeAll(async () => {
  cluster = await startCluster();
  manager = startManager(cluster.url, { controllers: ['pvc-protection', 'pv-protection'] });
});
afterAll(async () => {
  await manager.stop();
  await cluster.close();
});

const gone = (p: Promise<unknown>) => p.then(() => false, () => true);
const claim = (name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } }) as KubeObject;
const podOf = (name: string, claimName: string, nodeName?: string) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName } }] } }) as KubeObject;

test('a claim in use by a scheduled pod is removed only once the pod is gone', async () => {
  const { client } = cluster;
  const created = await client.create(PVCS, claim('data'));
  expect(created.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  await client.create(PODS, podOf('user', 'data', 'node-1'));
  await client.create(PODS, podOf('waiting', 'data')); // unscheduled: does not hold the claim
  await client.delete(PVCS, 'default', 'data');
  const terminating = await client.get(PVCS, 'default', 'data');
  expect(terminating.metadata.deletionTimestamp).toBeDefined();
  expect(terminating.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  await client.delete(PODS, 'default', 'user', { gracePeriodSeconds: 0 });
  await until('the claim gone with its last pod', () => gone(client.get(PVCS, 'default', 'data')));
  await client.delete(PODS, 'default', 'waiting');
});

test('an unused claim goes at once; one whose finalizer was taken off gets it back', async () => {
  const { client } = cluster;
  await client.create(PVCS, claim('free'));
  await client.delete(PVCS, 'default', 'free');
  await until('the unused claim gone', () => gone(client.get(PVCS, 'default', 'free')));
  await client.create(PVCS, claim('bare'));
  await client.patch(PVCS, 'default', 'bare', { metadata: { finalizers: null } }, 'merge');
  await until('the finalizer back', async () => ((await client.get(PVCS, 'default', 'bare')).metadata.finalizers ?? []).includes('kubernetes.io/pvc-protection'));
  await client.delete(PVCS, 'default', 'bare');
});

test('a volume deleted while Bound stays until it is not', async () => {
  const { client } = cluster;
  const pv = await client.create(PVS, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv-1' } } } as KubeObject);
  expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
  await client.patch(PVS, '', 'pv-1', { status: { phase: 'Bound' } }, 'merge', { subresource: 'status' });
  await client.delete(PVS, '', 'pv-1');
  expect((await client.get(PVS, '', 'pv-1')).metadata.deletionTimestamp).toBeDefined();
  await client.patch(PVS, '', 'pv-1', { status: { phase: 'Released' } }, 'merge', { subresource: 'status' });
  await until('the released volume gone', () => gone(client.get(PVS, '', 'pv-1')));
});
