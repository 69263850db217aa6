// Endpoints against a real API server: ready and not-ready addresses, a named targetPort.
import type { KubeObject } from '@skiff/api';
import { DEPLOYMENTS, ENDPOINTS, SERVICES } from '../src/lib/resources.ts';
import type { EndpointSubset } from '../src/endpoints/plan.ts';

type EndpointsObject = KubeObject & { subsets?: EndpointSubset[] };
import { startCluster, startManager, startSimulatedKubelet, type Cluster } from './harness.ts';
import { until } from '@skiff/apiserver/testing';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

test('a Service lists its pods, ready and not, on the resolved container port', async () => {
  const { client, url } = cluster;
  const kubelet = startSimulatedKubelet(client, { neverReady: ['never-ready'] });
  const manager = startManager(url, { controllers: ['replicaset', 'deployment', 'endpoints'] });
  try {
    const dep = (name: string, image: string, replicas: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'ep', v: name } },
        template: { metadata: { labels: { app: 'ep', v: name } }, spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }] }] } },
      },
    });
    await client.create(DEPLOYMENTS, dep('good', 'web:1', 2));
    await client.create(DEPLOYMENTS, dep('bad', 'never-ready:1', 1));
    await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ep', namespace: 'default' }, spec: { selector: { app: 'ep' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
    const ep = await until('endpoints', async () => {
      const e = await client.get<EndpointsObject>(ENDPOINTS, 'default', 'ep');
      const s = e.subsets?.[0];
      return s && s.addresses?.length === 2 && s.notReadyAddresses?.length === 1 ? e : undefined;
    });
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets![0].ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets![0].addresses![0].targetRef.kind).toBe('Pod');

    // Scaling the ready pods away empties the ready list.
    await client.patch(DEPLOYMENTS, 'default', 'good', { spec: { replicas: 0 } }, 'merge');
    await until('only the not-ready address', async () => {
      const e = await client.get<EndpointsObject>(ENDPOINTS, 'default', 'ep');
      return !e.subsets?.[0]?.addresses && e.subsets?.[0]?.notReadyAddresses?.length === 1;
    });
    await client.delete(SERVICES, 'default', 'ep');
    await until('endpoints deleted with the service', async () => client.get(ENDPOINTS, 'default', 'ep').then(() => false, () => true));
  } finally {
    await manager.stop();
    kubelet.stop();
  }
});
