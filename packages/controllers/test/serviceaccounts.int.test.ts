// The ServiceAccounts controller against a real API server: a `default` account in every
// namespace, made again when deleted, and none in a namespace being deleted.
import { NAMESPACES, SERVICE_ACCOUNTS } from '../src/lib/resources.ts';
import { until } from '@skiff/apiserver/testing';
import { startCluster, startManager, type Cluster } from './harness.ts';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

const exists = (ns: string, name: string) => cluster.client.get(SERVICE_ACCOUNTS, ns, name).then(() => true, () => false);

test('every namespace has a default ServiceAccount, re-made when deleted', async () => {
  const { client, url } = cluster;
  const manager = startManager(url, { controllers: ['serviceaccount'] });
  try {
    // The built-in namespaces, and one made while the controller runs.
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await until(`default account in ${ns}`, () => exists(ns, 'default'));
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await until('default account in team-a', () => exists('team-a', 'default'));

    const before = await client.get(SERVICE_ACCOUNTS, 'team-a', 'default');
    await client.delete(SERVICE_ACCOUNTS, 'team-a', 'default');
    const again = await until('default account made again', async () => {
      const sa = await client.get(SERVICE_ACCOUNTS, 'team-a', 'default').catch(() => undefined);
      return sa && sa.metadata.uid !== before.metadata.uid ? sa : undefined;
    });
    expect(again.metadata.name).toBe('default');
  } finally {
    await manager.stop();
  }
});
