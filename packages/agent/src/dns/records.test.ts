import type { KubeObject } from '@skiff/api';
import { DnsIndex } from './records.ts';

const svc = (name: string, spec: Record<string, unknown>, ns = 'default'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const slice = (name: string, endpoints: unknown[], ports: unknown[], ns = 'default'): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${name}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  endpoints,
  ports,
});

const index = DnsIndex.build(
  [
    svc('db', { clusterIP: '10.96.0.20', ports: [{ name: 'pg', port: 5432 }, { port: 9000 }] }),
    svc('web', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
    svc('empty', { clusterIP: 'None' }),
    svc('ext', { type: 'ExternalName', externalName: 'db.example.org' }),
  ],
  [
    slice('db', [{ addresses: ['10.244.2.5'], conditions: { ready: true } }], [{ name: 'pg', port: 5432, protocol: 'TCP' }]),
    // Not ready, or terminating: not answered.
    slice('web', [{ addresses: ['10.244.0.5'], hostname: 'web-0', conditions: { ready: true } }, { addresses: ['10.244.1.6'] }, { addresses: ['10.244.1.7'], conditions: { ready: false, serving: true, terminating: true } }], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  ],
);

describe('cluster DNS records', () => {
  test('a ClusterIP Service: A is the ClusterIP, SRV per named port, NODATA for other types', () => {
    expect(index.lookup('db.default.svc.cluster.local.', 'A')).toEqual({ rcode: 'NOERROR', records: [{ name: 'db.default.svc.cluster.local', data: { type: 'A', address: '10.96.0.20' } }] });
    expect(index.lookup('DB.Default.svc.cluster.local', 'A').records).toHaveLength(1);
    expect(index.lookup('_pg._tcp.db.default.svc.cluster.local', 'SRV').records).toEqual([{ name: '_pg._tcp.db.default.svc.cluster.local', data: { type: 'SRV', target: 'db.default.svc.cluster.local', port: 5432, priority: 0, weight: 100 } }]);
    expect(index.lookup('db.default.svc.cluster.local', 'AAAA')).toEqual({ rcode: 'NOERROR', records: [] });
  });

  test('a headless Service: every ready endpoint, by hostname or dashed address, and SRV to each', () => {
    expect(index.lookup('web.default.svc.cluster.local', 'A').records.map((r) => (r.data as { address: string }).address)).toEqual(['10.244.0.5', '10.244.1.6']);
    expect(index.lookup('web-0.web.default.svc.cluster.local', 'A').records).toEqual([{ name: 'web-0.web.default.svc.cluster.local', data: { type: 'A', address: '10.244.0.5' } }]);
    expect(index.lookup('10-244-1-6.web.default.svc.cluster.local', 'A').records).toHaveLength(1);
    expect(index.lookup('_http._tcp.web.default.svc.cluster.local', 'SRV').records.map((r) => r.data)).toEqual([
      { type: 'SRV', target: 'web-0.web.default.svc.cluster.local', port: 8080, priority: 0, weight: 100 },
      { type: 'SRV', target: '10-244-1-6.web.default.svc.cluster.local', port: 8080, priority: 0, weight: 100 },
    ]);
    expect(index.lookup('empty.default.svc.cluster.local', 'A')).toEqual({ rcode: 'NOERROR', records: [] });
  });

  test('ExternalName is a CNAME; unknown names NXDOMAIN; namespaces and the zone NODATA', () => {
    expect(index.lookup('ext.default.svc.cluster.local', 'A').records).toEqual([{ name: 'ext.default.svc.cluster.local', data: { type: 'CNAME', target: 'db.example.org' } }]);
    expect(index.lookup('nope.default.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(index.lookup('db.other.svc.cluster.local', 'A').rcode).toBe('NXDOMAIN');
    expect(index.lookup('default.svc.cluster.local', 'A')).toEqual({ rcode: 'NOERROR', records: [] });
    expect(index.lookup('svc.cluster.local', 'A').rcode).toBe('NOERROR');
    expect(index.inZone('db.default.svc.cluster.local')).toBe(true);
    expect(index.inZone('example.org')).toBe(false);
  });
});
