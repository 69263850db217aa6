import { computeLoadBalancerIngress } from './plan.ts';

const node = (name: string, ip: string, ready = true, unschedulable = false) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { unschedulable },
  status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }] },
});

test('a LoadBalancer Service is answered on every Ready node', () => {
  const lb = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'LoadBalancer' } };
  const nodes = [node('b', '10.250.0.10'), node('a', '10.250.0.9'), node('c', '10.250.0.11', false), node('d', '10.250.0.12', true, true)];
  expect(computeLoadBalancerIngress(lb, nodes)).toEqual([{ ip: '10.250.0.9', ipMode: 'VIP' }, { ip: '10.250.0.10', ipMode: 'VIP' }]);
  expect(computeLoadBalancerIngress({ ...lb, spec: { type: 'ClusterIP' } }, nodes)).toEqual([]);
});
