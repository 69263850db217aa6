import type { KubeObject } from '@skiff/api';
import { clusterDNSService, clusterDNSSubsets, nodeDNSAddress, planClusterDNS } from './plan.ts';

const node = (name: string, podCIDR?: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR } : {} });

test("a node's DNS address is its pod network's gateway, none before it has a block", () => {
  expect(nodeDNSAddress(node('a', '10.244.3.0/24'))).toBe('10.244.3.1');
  expect(nodeDNSAddress(node('a'))).toBeUndefined();
});

test('the endpoints: every node with a block, by name, on 53 UDP and TCP; none without', () => {
  expect(clusterDNSSubsets([node('b', '10.244.2.0/24'), node('a', '10.244.1.0/24'), node('c')])).toEqual([
    { addresses: [{ ip: '10.244.1.1', nodeName: 'a' }, { ip: '10.244.2.1', nodeName: 'b' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
  ]);
  expect(clusterDNSSubsets([node('c')])).toEqual([]);
});

test('writes what is missing or stale; leaves an edited Service and a selector-driven one alone', () => {
  const nodes = [node('a', '10.244.1.0/24')];
  const first = planClusterDNS(nodes, undefined, undefined);
  expect(first.createService).toEqual(clusterDNSService());
  expect(first.endpoints).toEqual({ create: expect.objectContaining({ kind: 'Endpoints', subsets: clusterDNSSubsets(nodes) }) });
  const svc = { ...clusterDNSService(), metadata: { ...clusterDNSService().metadata, labels: { mine: 'yes' } } };
  const ep = (first.endpoints as { create: KubeObject }).create;
  expect(planClusterDNS(nodes, svc, ep)).toEqual({});
  expect(planClusterDNS([...nodes, node('b', '10.244.2.0/24')], svc, ep).endpoints).toEqual({ update: expect.objectContaining({ subsets: clusterDNSSubsets([...nodes, node('b', '10.244.2.0/24')]) }) });
  expect(planClusterDNS(nodes, { ...svc, spec: { selector: { app: 'coredns' } } }, undefined)).toEqual({});
});
