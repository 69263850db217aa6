import type { KubeObject } from '@skiff/api';
import { computeEnv } from './env.ts';
import { computeServiceEnv } from './service-env.ts';

const svc = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
const services = [
  svc('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] }),
  svc('shop', 'web-front', { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('shop', 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
  svc('shop', 'outside', { type: 'ExternalName', externalName: 'example.org' }),
  svc('other', 'elsewhere', { clusterIP: '10.96.0.11', ports: [{ port: 8080 }] }),
];

test('the kubernetes Service variables, exactly as the kubelet writes them, in every namespace', () => {
  const env = Object.fromEntries(computeServiceEnv(services, 'other', false));
  expect(env).toEqual({
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  });
});

test('service links: the namespace\'s own Services with a ClusterIP, every port; none when turned off', () => {
  const env = Object.fromEntries(computeServiceEnv(services, 'shop', true));
  expect(env).toMatchObject({
    WEB_FRONT_SERVICE_HOST: '10.96.0.10',
    WEB_FRONT_SERVICE_PORT: '80',
    WEB_FRONT_SERVICE_PORT_HTTP: '80',
    WEB_FRONT_SERVICE_PORT_DNS: '53',
    WEB_FRONT_PORT: 'tcp://10.96.0.10:80',
    WEB_FRONT_PORT_80_TCP_ADDR: '10.96.0.10',
    WEB_FRONT_PORT_53_UDP: 'udp://10.96.0.10:53',
    WEB_FRONT_PORT_53_UDP_PROTO: 'udp',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
  });
  expect(Object.keys(env).filter((k) => /HEADLESS|OUTSIDE|ELSEWHERE/.test(k))).toEqual([]);
  expect(Object.keys(Object.fromEntries(computeServiceEnv(services, 'shop', false))).every((k) => k.startsWith('KUBERNETES_'))).toBe(true);
});

test('in the container: its own variables win, and $(VAR) may name a Service variable', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: {} } as KubeObject;
  const lookup = { configMap: () => undefined, secret: () => undefined };
  const serviceEnv = computeServiceEnv(services, 'shop', true);
  const { env } = computeEnv({ name: 'c', env: [{ name: 'KUBERNETES_SERVICE_PORT', value: '1' }, { name: 'URL', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }] }, { pod, nodeName: 'n', nodeIP: '127.0.0.1', allocatable: {} }, lookup, serviceEnv);
  const m = Object.fromEntries(env.map((e) => [e.name, e.value]));
  expect(m.KUBERNETES_SERVICE_PORT).toBe('1');
  expect(m.URL).toBe('https://10.96.0.1:1');
  expect(m.WEB_FRONT_SERVICE_HOST).toBe('10.96.0.10');
  // The container's own come first, the Service variables after.
  expect(env.slice(0, 2).map((e) => e.name)).toEqual(['KUBERNETES_SERVICE_PORT', 'URL']);
});
