import type { KubeObject } from '@skiff/api';
import { computeServiceModel } from './model.ts';

const svc = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec, status });
type Conditions = { ready?: boolean; serving?: boolean; terminating?: boolean };
/** One EndpointSlice of Service `name`: ready endpoints, unless conditions say otherwise. */
const eps = (name: string, ips: string[], port = 8080, portName?: string, conditions: Conditions = { ready: true, serving: true, terminating: false }): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${name}-${ips.length}${port}`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions })),
  ports: [{ port, protocol: 'TCP', ...(portName ? { name: portName } : {}) }],
});

test('headless and ExternalName services have no rules; named ports pick their endpoints port', () => {
  const models = computeServiceModel(
    [svc('h', { clusterIP: 'None', ports: [{ port: 80 }] }), svc('x', { type: 'ExternalName', externalName: 'example.org' }), svc('n', { clusterIP: '10.96.0.13', ports: [{ name: 'web', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090 }] })],
    [eps('h', ['10.244.0.5']), { ...eps('n', ['10.244.0.7'], 8080, 'web'), ports: [{ name: 'web', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }] }],
  );
  expect(models.map((m) => [m.id, m.endpoints])).toEqual([
    ['default/n:metrics', [{ ip: '10.244.0.7', port: 9100 }]],
    ['default/n:web', [{ ip: '10.244.0.7', port: 8080 }]],
  ]);
});

test('terminating endpoints: skipped while ready ones exist; the serving ones used when none is ready, as kube-proxy does', () => {
  const web = svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  const terminating = { ready: false, serving: true, terminating: true };
  const gone = { ready: false, serving: false, terminating: true };
  const ready = eps('web', ['10.244.0.5']);
  const old = eps('web', ['10.244.0.6'], 8080, undefined, terminating);
  const dead = eps('web', ['10.244.0.7'], 8080, undefined, gone);
  const notReady = eps('web', ['10.244.0.8'], 8080, undefined, { ready: false, serving: false, terminating: false });
  const ips = (slices: KubeObject[]) => computeServiceModel([web], slices)[0].endpoints.map((e) => e.ip);
  expect(ips([ready, { ...old, metadata: { ...old.metadata, name: 'b' } }, { ...dead, metadata: { ...dead.metadata, name: 'c' } }])).toEqual(['10.244.0.5']);
  expect(ips([old, { ...dead, metadata: { ...dead.metadata, name: 'c' } }, { ...notReady, metadata: { ...notReady.metadata, name: 'd' } }])).toEqual(['10.244.0.6']);
  expect(ips([dead, notReady])).toEqual([]);
  // A missing `ready` means ready (the API's rule for readers).
  expect(ips([{ ...ready, endpoints: [{ addresses: ['10.244.0.9'] }] }])).toEqual(['10.244.0.9']);
});

