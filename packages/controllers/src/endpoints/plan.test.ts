import type { KubeObject } from '@skiff/api';
import { computeEndpointSubsets, computeEndpoints, resolveTargetPort } from './plan.ts';

const svc = (o: Partial<{ selector: any; ports: any[]; clusterIP: string }> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { selector: 'selector' in o ? o.selector : { app: 'web' }, ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 'http' }], ...(o.clusterIP ? { clusterIP: o.clusterIP } : {}) },
});

const pod = (name: string, ip: string | undefined, o: { ready?: boolean; port?: number; labels?: any; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `u-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
  status: { phase: 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('ready and not-ready addresses, named target port resolved per pod', () => {
  const subsets = computeEndpointSubsets(svc(), [pod('b', '10.0.0.10'), pod('a', '10.0.0.9'), pod('c', '10.0.0.3', { ready: false }), pod('x', undefined), pod('other', '10.0.0.4', { labels: { app: 'db' } }), pod('gone', '10.0.0.5', { deleting: true })]);
  expect(subsets).toEqual([
    {
      addresses: [
        { ip: '10.0.0.9', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'u-a' } },
        { ip: '10.0.0.10', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'u-b' } },
      ],
      notReadyAddresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'u-c' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
});

test('pods with different resolved ports land in different subsets', () => {
  const subsets = computeEndpointSubsets(svc(), [pod('a', '10.0.0.1', { port: 8080 }), pod('b', '10.0.0.2', { port: 9090 })])!;
  expect(subsets.map((s) => s.ports?.[0].port).sort()).toEqual([8080, 9090]);
});

test('numeric targetPort, default to port, no selector, headless label', () => {
  expect(resolveTargetPort({ port: 80, targetPort: 8081 }, pod('a', '1.1.1.1'))).toBe(8081);
  expect(resolveTargetPort({ port: 80 }, pod('a', '1.1.1.1'))).toBe(80);
  expect(resolveTargetPort({ port: 80, targetPort: 'nope' }, pod('a', '1.1.1.1'))).toBeUndefined();
  expect(computeEndpointSubsets(svc({ selector: undefined }), [pod('a', '1.1.1.1')])).toBeUndefined();
  expect(computeEndpointSubsets(svc(), [])).toEqual([]);
  expect(computeEndpoints(svc({ clusterIP: 'None' }), []).metadata.labels).toEqual({ app: 'web', 'service.kubernetes.io/headless': '' });
});
