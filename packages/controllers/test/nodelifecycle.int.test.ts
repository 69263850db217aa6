// Node lifecycle against a real API server: a node that stops renewing its lease turns
// Ready=Unknown with the unreachable taint, its pods are evicted after their toleration and
// recreated on the other nodes; when it comes back it loses the taint.
import { DEPLOYMENTS, NODES, PODS } from '../src/lib/resources.ts';
import { deploymentManifest, isActive, isReady, startCluster, startManager, startSimulatedKubelet, startSimulatedNodes, type Cluster } from './harness.ts';
import { until } from '@skiff/apiserver/testing';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

test('pods of a node whose lease expired are recreated elsewhere within grace + toleration', async () => {
  const { client, url } = cluster;
  const nodes = await startSimulatedNodes(client, ['n1', 'n2', 'n3'], 100);
  const kubelet = startSimulatedKubelet(client, { nodes: nodes.healthy, deadNodes: nodes.dead });
  const manager = startManager(url, { nodeMonitorGracePeriodSeconds: 2, podEvictionTimeoutSeconds: 1, nodeMonitorPeriodMs: 100 });
  try {
    await client.create(DEPLOYMENTS, deploymentManifest('spread', { replicas: 6 }));
    const podsOn = async (node: string) => (await client.list(PODS, { namespace: 'default', labelSelector: 'app=spread' })).items.filter((p) => isActive(p) && p.spec.nodeName === node);
    await until('pods on n1', async () => (await podsOn('n1')).length > 0 && (await client.list(PODS, { namespace: 'default' })).items.filter((p) => isActive(p) && isReady(p)).length === 6);

    const killedAt = Date.now();
    nodes.kill('n1');
    const onN1 = (await podsOn('n1')).map((p) => p.metadata.name!);
    // Before they are evicted, the pods of the unreachable node stop being ready.
    await until('pods on n1 not ready', async () => {
      const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=spread' })).items.filter((p) => onN1.includes(p.metadata.name!));
      return pods.every((p) => p.metadata.deletionTimestamp || !isReady(p));
    }, 10_000);
    await until('n1 unreachable', async () => {
      const n = await client.get(NODES, undefined, 'n1');
      const ready = n.status.conditions.find((c: { type: string }) => c.type === 'Ready');
      return ready.status === 'Unknown' && (n.spec.taints ?? []).some((t: { key: string; effect: string; timeAdded?: string }) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.timeAdded);
    }, 10_000);
    await until('all 6 ready on n2/n3', async () => {
      const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=spread' })).items.filter(isActive);
      return pods.length === 6 && pods.every((p) => p.spec.nodeName !== 'n1' && isReady(p));
    }, 15_000);
    const took = Date.now() - killedAt;
    // grace 2 s + toleration 1 s, less the lease renewal interval (the last renewal precedes the kill)
    expect(took).toBeGreaterThanOrEqual(2800);
    expect(took).toBeLessThan(12_000);

    nodes.dead.delete('n1');
    await until('n1 back without the taint', async () => {
      const n = await client.get(NODES, undefined, 'n1');
      const ready = n.status.conditions.find((c: { type: string }) => c.type === 'Ready');
      return ready.status === 'True' && !(n.spec.taints ?? []).some((t: { key: string }) => t.key === 'node.kubernetes.io/unreachable');
    }, 10_000);
  } finally {
    await manager.stop();
    kubelet.stop();
    nodes.stop();
  }
});
