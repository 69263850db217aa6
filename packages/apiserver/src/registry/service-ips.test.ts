import { allocateServiceAddresses, inClusterRange, keepServiceAddresses, parseServiceRange, planClusterIPMigration } from './service-ips.ts';

const svc = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec });

test('allocates the first free ClusterIP in 10.96.0.0/16 (the default service CIDR), and honours a requested free one', () => {
  const taken = [svc({ clusterIP: '10.96.0.1' })];
  expect(allocateServiceAddresses(svc({ ports: [{ port: 80 }] }), taken).spec).toMatchObject({ clusterIP: '10.96.0.2', clusterIPs: ['10.96.0.2'] });
  expect(allocateServiceAddresses(svc({ clusterIP: '10.96.3.4' }), taken).spec.clusterIP).toBe('10.96.3.4');
  expect(inClusterRange('10.96.255.255')).toBe(false);
  expect(inClusterRange('10.0.0.1')).toBe(false);
  expect(inClusterRange('127.96.0.1')).toBe(false);
});

test('rejects a taken or out-of-range ClusterIP; headless and ExternalName get none', () => {
  const taken = [svc({ clusterIP: '10.96.0.1' })];
  expect(allocateServiceAddresses(svc({ clusterIP: '10.96.0.1' }), taken).causes[0].message).toMatch(/already allocated/);
  expect(allocateServiceAddresses(svc({ clusterIP: '10.0.0.1' }), taken).causes[0].message).toMatch(/not in the valid range. The range of valid IPs is 10.96.0.0\/16/);
  expect(allocateServiceAddresses(svc({ clusterIP: 'None' }), taken).spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'] });
  expect(allocateServiceAddresses(svc({ type: 'ExternalName', externalName: 'x.example' }), taken).spec.clusterIP).toBeUndefined();
});

test('NodePort services get free node ports; a taken one is refused', () => {
  const taken = [svc({ type: 'NodePort', clusterIP: '10.96.0.1', ports: [{ port: 80, nodePort: 30000 }] })];
  const a = allocateServiceAddresses(svc({ type: 'NodePort', ports: [{ port: 80 }, { port: 443, nodePort: 31000 }] }), taken);
  expect(a.causes).toEqual([]);
  expect(a.spec.ports?.map((p) => p.nodePort)).toEqual([30001, 31000]);
  expect(allocateServiceAddresses(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] }), taken).causes[0].field).toBe('spec.ports[0].nodePort');
});

test('updates keep the allocated addresses and refuse to change the ClusterIP', () => {
  const old = svc({ type: 'NodePort', clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'], ports: [{ port: 80, nodePort: 30005 }] });
  const next = svc({ type: 'NodePort', ports: [{ port: 80 }] });
  expect(keepServiceAddresses(next, old)).toEqual([]);
  expect(next.spec).toMatchObject({ clusterIP: '10.96.0.9', ports: [{ port: 80, nodePort: 30005 }] });
  expect(keepServiceAddresses(svc({ type: 'NodePort', clusterIP: '10.96.0.10' }), old)[0].message).toMatch(/may not change once set/);
});

test('a configured service CIDR is where ClusterIPs come from; a bad one is refused with a reason', () => {
  const range = parseServiceRange('10.100.0.0/24');
  expect(allocateServiceAddresses(svc({ ports: [{ port: 80 }] }), [], 0, range).spec.clusterIP).toBe('10.100.0.2'); // .1 is the kubernetes Service's
  expect(() => parseServiceRange('10.100.0.0')).toThrow(/invalid service CIDR "10.100.0.0"/);
  expect(() => parseServiceRange('10.0.0.0/8')).toThrow(/from \/12 to \/28/);
});

test('Services outside the service CIDR (the old loopback range) get new addresses, clear of the ones in use', () => {
  const range = parseServiceRange('10.96.0.0/16');
  const old = [svc({ clusterIP: '127.96.0.1' }), svc({ clusterIP: '10.96.0.1' }), svc({ clusterIP: 'None' }), svc({ type: 'ExternalName' }), svc({ clusterIP: '127.96.0.2' })];
  expect(planClusterIPMigration(old, range).map((m) => [m.service.spec?.clusterIP, m.clusterIP])).toEqual([
    ['127.96.0.1', '10.96.0.2'],
    ['127.96.0.2', '10.96.0.3'],
  ]);
});
