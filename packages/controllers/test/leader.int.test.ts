// Two controller managers: one leads and acts; when it dies (without releasing the lease) the
// other takes over once the lease expires.
import type { KubeObject } from '@skiff/api';
import { LEASES, PODS, REPLICA_SETS } from '../src/lib/resources.ts';
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
  metadata: { name: 'led', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'led' } }, template: { metadata: { labels: { app: 'led' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
});

test('one leader at a time, failover when the leader is killed', async () => {
  const { client, url } = cluster;
  const kubelet = startSimulatedKubelet(client);
  const timing = { leaderElect: true, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300, releaseOnStop: false, controllers: ['replicaset'] as const };
  const a = startManager(url, { ...timing, controllers: [...timing.controllers], identity: 'a' });
  const b = startManager(url, { ...timing, controllers: [...timing.controllers], identity: 'b' });
  try {
    await until('a leader', () => a.isLeader() || b.isLeader(), 10_000);
    // Stays exactly one, renewal after renewal.
    for (let i = 0; i < 3; i++) {
      const renewed = (await client.get(LEASES, 'kube-system', 'skiff-controller-manager')).spec.renewTime;
      await until('a renewal', async () => (await client.get(LEASES, 'kube-system', 'skiff-controller-manager')).spec.renewTime !== renewed);
      expect(Number(a.isLeader()) + Number(b.isLeader())).toBe(1);
    }
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    const lease = await client.get(LEASES, 'kube-system', 'skiff-controller-manager');
    expect(lease.spec.holderIdentity).toBe(a.isLeader() ? 'a' : 'b');

    await client.create(REPLICA_SETS, rs(2));
    const active = async () => (await client.list(PODS, { namespace: 'default', labelSelector: 'app=led' })).items.filter(isActive).length;
    await until('2 pods', async () => (await active()) === 2);

    await leader.stop(); // dies holding the lease
    const stoppedAt = Date.now();
    await until('failover', () => follower.isLeader(), 10_000);
    expect(Date.now() - stoppedAt).toBeGreaterThan(1500); // it waited for the lease to expire
    // A merge patch, as `kubectl scale` sends: the new leader writes the ReplicaSet's status as it
    // takes over, so a get-then-update can meet a 409 there (it did in CI).
    await client.patch(REPLICA_SETS, 'default', 'led', { spec: { replicas: 4 } }, 'merge');
    await until('4 pods from the new leader', async () => (await active()) === 4);
    await follower.stop();
  } finally {
    await a.stop();
    await b.stop();
    kubelet.stop();
  }
});
