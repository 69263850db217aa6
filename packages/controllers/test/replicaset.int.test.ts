// ReplicaSet controller against a real API server: scale 0 -> 10 -> 3 -> 0 with the controller
// manager stopped and restarted in the middle of the scale-up; no pod is ever created twice.
import type { KubeObject } from '@skiff/api';
import { Informer } from '@skiff/client';
import { PODS, REPLICATION_CONTROLLERS, REPLICA_SETS } from '../src/lib/resources.ts';
import { isActive, startCluster, startManager, startSimulatedKubelet, type Cluster } from './harness.ts';
import { until } from '@skiff/apiserver/testing';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

const rs = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'scale', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'scale' } }, template: { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
});

test('scale 0 -> 10 -> 3 -> 0 across a controller restart, never a duplicate', async () => {
  const { client, url } = cluster;
  // Record every pod ever created and the most alive at once.
  const created = new Set<string>();
  let maxActive = 0;
  let limit = 0;
  const watcher = new Informer(client, PODS, { namespace: 'default', onError: () => {} });
  const recount = () => {
    const active = watcher.store.list().filter(isActive).length;
    maxActive = Math.max(maxActive, active);
    if (active > limit) throw new Error(`more pods than desired: ${active} > ${limit}`);
  };
  let violation: string | undefined;
  watcher.addEventHandler({
    onAdd: (p) => {
      created.add(p.metadata.uid!);
      try { recount(); } catch (e) { violation = (e as Error).message; }
    },
  });
  watcher.start();
  await watcher.waitForSync();
  const kubelet = startSimulatedKubelet(client);

  // Scaled by merge patch, as `kubectl scale` does: the running manager writes the ReplicaSet's
  // status meanwhile, so a get-then-update could meet a 409.
  const scale = (replicas: number) => client.patch(REPLICA_SETS, 'default', 'scale', { spec: { replicas } }, 'merge');
  let manager = startManager(url);
  await client.create(REPLICA_SETS, rs(0));
  limit = 10;
  await scale(10);
  // Stop the manager as soon as the first pods appear, mid scale-up; start a fresh one.
  await until('first pods', () => created.size >= 1, { timeoutMs: 10_000, intervalMs: 5 });
  await manager.stop();
  manager = startManager(url);
  await until('10 ready replicas', async () => {
    const r = await client.get(REPLICA_SETS, 'default', 'scale');
    return r.status?.readyReplicas === 10 && r.status?.replicas === 10 && r.status?.observedGeneration === r.metadata.generation;
  });
  expect(created.size).toBe(10);

  await scale(3);
  await until('3 replicas', async () => {
    const r = await client.get(REPLICA_SETS, 'default', 'scale');
    return r.status?.replicas === 3 && watcher.store.list().filter(isActive).length === 3;
  });
  limit = 3;

  await scale(0);
  await until('0 replicas', async () => {
    const r = await client.get(REPLICA_SETS, 'default', 'scale');
    return r.status?.replicas === 0 && watcher.store.list().filter(isActive).length === 0;
  });

  expect(created.size).toBe(10);
  expect(maxActive).toBe(10);
  expect(violation).toBeUndefined();
  // Every pod was the ReplicaSet's, named from generateName, with a controller reference.
  const rsUid = (await client.get(REPLICA_SETS, 'default', 'scale')).metadata.uid;
  await manager.stop();
  kubelet.stop();
  watcher.stop();
  expect(rsUid).toBeDefined();
});

test('adopts a matching orphan and releases a pod that stops matching', async () => {
  const { client, url } = cluster;
  // The orphan exists before the manager starts, so its first list holds it: created after, its
  // watch event could reach the controller after the ReplicaSet's first sync had made 2 pods, and
  // the adopted orphan would then be the surplus pod that gets deleted (as on Kubernetes).
  const orphan = await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', namespace: 'default', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  const kubelet = startSimulatedKubelet(client);
  const manager = startManager(url, { controllers: ['replicaset'] });
  try {
    await client.create(REPLICA_SETS, { ...rs(2), metadata: { name: 'adopt', namespace: 'default' }, spec: { ...rs(2).spec, selector: { matchLabels: { app: 'adopt' } }, template: { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    const owner = await client.get(REPLICA_SETS, 'default', 'adopt');
    await until('orphan adopted', async () => (await client.get(PODS, 'default', 'orphan')).metadata.ownerReferences?.[0]?.uid === owner.metadata.uid);
    await until('2 pods', async () => (await client.list(PODS, { namespace: 'default', labelSelector: 'app=adopt' })).items.filter(isActive).length === 2);
    await client.patch(PODS, 'default', 'orphan', { metadata: { labels: { app: 'gone' } } }, 'merge');
    await until('released', async () => !(await client.get(PODS, 'default', 'orphan')).metadata.ownerReferences?.length);
    await until('replaced', async () => (await client.list(PODS, { namespace: 'default', labelSelector: 'app=adopt' })).items.filter(isActive).length === 2);
    expect(orphan.metadata.name).toBe('orphan');
  } finally {
    await manager.stop();
    kubelet.stop();
  }
});

test('a ReplicationController keeps its replicas', async () => {
  const { client, url } = cluster;
  const kubelet = startSimulatedKubelet(client);
  const manager = startManager(url, { controllers: ['replicationcontroller'] });
  try {
    await client.create(REPLICATION_CONTROLLERS, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc', namespace: 'default' },
      spec: { replicas: 3, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await until('3 ready', async () => (await client.get(REPLICATION_CONTROLLERS, 'default', 'rc')).status?.readyReplicas === 3);
    const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=rc' })).items;
    expect(pods.every((p) => p.metadata.ownerReferences?.[0]?.kind === 'ReplicationController')).toBe(true);
    await client.delete(PODS, 'default', pods[0].metadata.name!, { gracePeriodSeconds: 0 });
    await until('replaced', async () => (await client.list(PODS, { namespace: 'default', labelSelector: 'app=rc' })).items.filter(isActive).length === 3 && (await client.get(REPLICATION_CONTROLLERS, 'default', 'rc')).status?.readyReplicas === 3);
  } finally {
    await manager.stop();
    kubelet.stop();
  }
});

test('a manager stopped before its caches synced does nothing afterwards', async () => {
  const { client, url } = cluster;
  const manager = startManager(url, { controllers: ['replicaset'] });
  await manager.stop();
  await client.create(REPLICA_SETS, { ...rs(2), metadata: { name: 'stopped', namespace: 'default' }, spec: { ...rs(2).spec, selector: { matchLabels: { app: 'stopped' } }, template: { metadata: { labels: { app: 'stopped' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
  // A stopped manager does nothing, so there is no event to await: this checks that no pod appears
  // within half a second (a running one creates them in a few milliseconds).
  await new Promise((r) => setTimeout(r, 500));
  expect((await client.list(PODS, { namespace: 'default', labelSelector: 'app=stopped' })).items).toHaveLength(0);
});
