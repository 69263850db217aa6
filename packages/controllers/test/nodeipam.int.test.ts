// Node IPAM against a real API server: every node gets its own /24 of the cluster CIDR in
// spec.podCIDR(s), a node keeps it, and a deleted node's block is handed out again.
import { NODES } from '../src/lib/resources.ts';
import { until } from '@skiff/apiserver/testing';
import { startCluster, startManager, type Cluster } from './harness.ts';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });

test('each node gets a distinct /24 of the cluster CIDR, kept until the node is deleted', async () => {
  const { client, url } = cluster;
  // One node exists before the manager starts, with a block the user (or an earlier run) gave it.
  await client.create(NODES, { ...node('pre'), spec: { podCIDR: '10.50.0.0/24', podCIDRs: ['10.50.0.0/24'] } });
  const manager = startManager(url, { controllers: ['nodeipam'], clusterCIDR: '10.50.0.0/16' });
  try {
    for (const n of ['a', 'b', 'c']) await client.create(NODES, node(n));
    const cidrs = async () => Object.fromEntries((await client.list(NODES)).items.map((n) => [n.metadata.name, n.spec?.podCIDR]));
    await until('all nodes have a pod CIDR', async () => Object.values(await cidrs()).every(Boolean));
    const got = await cidrs();
    expect(got.pre).toBe('10.50.0.0/24');
    expect(new Set(Object.values(got)).size).toBe(4);
    for (const c of Object.values(got)) expect(c).toMatch(/^10\.50\.[0-3]\.0\/24$/);
    const b = await client.get(NODES, undefined, 'b');
    expect(b.spec.podCIDRs).toEqual([b.spec.podCIDR]);

    await client.delete(NODES, undefined, 'b');
    await client.create(NODES, node('d'));
    await until('d has the freed block', async () => (await client.get(NODES, undefined, 'd')).spec?.podCIDR === got.b);
  } finally {
    await manager.stop();
  }
});

test('a bad cluster CIDR fails at start-up with a reason', () => {
  expect(() => startManager(cluster.url, { clusterCIDR: '10.50.0.0' })).toThrow(/invalid cluster CIDR "10.50.0.0"/);
});
