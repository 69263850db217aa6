// Cascading deletion in the three modes, Deployment -> ReplicaSet -> Pods.
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../src/lib/resources.ts';
import { deploymentManifest, startCluster, startManager, startSimulatedKubelet, type Cluster } from './harness.ts';
import { until } from '@skiff/apiserver/testing';
import { isNotFound } from '@skiff/client';
import type { ControllerManager } from '../src/index.ts';

let cluster: Cluster;
let manager: ControllerManager;
let kubelet: { stop(): void };
beforeAll(async () => {
  cluster = await startCluster();
  kubelet = startSimulatedKubelet(cluster.client);
  manager = startManager(cluster.url, { controllers: ['replicaset', 'deployment', 'garbagecollector'] });
});
afterAll(async () => {
  await manager.stop();
  kubelet.stop();
  await cluster.close();
});

/** True once GET answers 404; any other error (a 500, a refused connection) is not "deleted". */
const gone = (res: typeof PODS, name: string) => () =>
  cluster.client.get(res, 'default', name).then(
    () => false,
    (err) => {
      if (isNotFound(err)) return true;
      throw err;
    },
  );

/**
 * Waits until the collector has handled an event that came after everything done so far: a pod
 * whose owner (a ReplicaSet, a kind it watches) never existed is collected. What the collector
 * was going to do with earlier events is done by then, so "nothing was deleted" can be asserted.
 */
async function collectorCaughtUp(tag: string) {
  const { client } = cluster;
  const name = `orphan-probe-${tag}`;
  await client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'never-existed', uid: `uid-never-${tag}` }] },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  await until(`${name} collected`, gone(PODS, name));
}

async function deployed(name: string) {
  const { client } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest(name, { replicas: 2 }));
  await until(`${name} available`, async () => (await client.get(DEPLOYMENTS, 'default', name)).status?.availableReplicas === 2);
}

const count = async (res: typeof PODS, app: string) => (await cluster.client.list(res, { namespace: 'default', labelSelector: `app=${app}` })).items.length;

test('Background: the owner goes at once, its dependents after', async () => {
  const { client } = cluster;
  await deployed('bg');
  await client.delete(DEPLOYMENTS, 'default', 'bg', { propagationPolicy: 'Background' });
  await until('replica set and pods gone', async () => (await count(REPLICA_SETS, 'bg')) === 0 && (await count(PODS, 'bg')) === 0);
});

test('Foreground: the owner stays (foregroundDeletion) until its dependents are gone', async () => {
  const { client } = cluster;
  await deployed('fg');
  const marked = await client.delete(DEPLOYMENTS, 'default', 'fg', { propagationPolicy: 'Foreground' });
  expect((marked as { metadata: { finalizers?: string[] } }).metadata.finalizers).toContain('foregroundDeletion');
  await until('deployment gone', gone(DEPLOYMENTS, 'fg'));
  // Once the deployment is gone, nothing of it may remain.
  expect(await count(REPLICA_SETS, 'fg')).toBe(0);
  expect(await count(PODS, 'fg')).toBe(0);
});

test('Orphan: dependents lose the reference and stay', async () => {
  const { client } = cluster;
  await deployed('orph');
  await client.delete(DEPLOYMENTS, 'default', 'orph', { propagationPolicy: 'Orphan' });
  await until('deployment gone', gone(DEPLOYMENTS, 'orph'));
  const rss = (await client.list(REPLICA_SETS, { namespace: 'default', labelSelector: 'app=orph' })).items;
  expect(rss).toHaveLength(1);
  expect(rss[0].metadata.ownerReferences ?? []).toEqual([]);
  await collectorCaughtUp('orph');
  expect(await count(PODS, 'orph')).toBe(2);
  expect(await count(REPLICA_SETS, 'orph')).toBe(1);
});

test('an owner of a kind the collector does not watch keeps its dependents', async () => {
  const { client } = cluster;
  await client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'owned-by-node', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'nowhere', uid: 'uid-nowhere' }] },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  await collectorCaughtUp('node');
  expect((await client.get(PODS, 'default', 'owned-by-node')).metadata.name).toBe('owned-by-node');
});
