import { computeProxyTable } from './table.ts';

const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const ep = (name: string, subsets: unknown[]) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets });

test('a ClusterIP service listens on its cluster IP with the ready addresses as backends', () => {
  const rules = computeProxyTable(
    [svc('web', { clusterIP: '127.96.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })],
    [ep('web', [{ addresses: [{ ip: '172.17.0.2' }, { ip: '172.17.0.3' }], notReadyAddresses: [{ ip: '172.17.0.4' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }])],
    '127.0.1.1',
  );
  expect(rules).toEqual([{ key: '127.96.0.10:80/TCP', service: 'default/web', portName: 'http', listenIP: '127.96.0.10', listenPort: 80, backends: [{ ip: '172.17.0.2', port: 8080 }, { ip: '172.17.0.3', port: 8080 }] }]);
});

test('NodePort services also listen on the node IP; headless and UDP ports are skipped', () => {
  const rules = computeProxyTable(
    [
      svc('np', { type: 'NodePort', clusterIP: '127.96.0.11', ports: [{ port: 80, nodePort: 30080 }] }),
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('dns', { clusterIP: '127.96.0.12', ports: [{ port: 53, protocol: 'UDP' }] }),
    ],
    [],
    '127.0.1.1',
  );
  expect(rules.map((r) => r.key)).toEqual(['127.96.0.11:80/TCP', '127.0.1.1:30080/TCP']);
  expect(rules[0].backends).toEqual([]);
});
