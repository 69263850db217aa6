import type { KubeObject } from '@skiff/api';
import { computeServiceModel } from '../model.ts';
import { computeNftRules, extChain, proxyTable, sepChain, svcChain } from './rules.ts';
import { computeFullLoad, computeTransaction } from './transaction.ts';

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

const opts = { clusterCIDR: '10.244.0.0/16' };

describe('the kernel proxy table', () => {
  test('a ClusterIP service: one map element to its chain, which DNATs to an endpoint picked at random; every endpoint in the hairpin set', () => {
    const models = computeServiceModel([svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] })], [eps('web', ['10.244.0.5', '10.244.1.5', '10.244.2.5'])]);
    const r = computeNftRules(models, opts);
    const chain = svcChain(models[0]);
    expect([...r.maps['service-ips']]).toEqual([['10.96.0.10 . tcp . 80', `goto ${chain}`]]);
    expect(r.chains.get(chain)).toEqual([
      'ip daddr 10.96.0.10 meta l4proto tcp th dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade comment "default/web: cluster IP"',
      'meta l4proto tcp dnat ip to numgen random mod 3 map { 0 : 10.244.0.5 . 8080, 1 : 10.244.1.5 . 8080, 2 : 10.244.2.5 . 8080 } comment "default/web:"',
    ]);
    // No chain per endpoint (nft reads every chain of the table on each change).
    expect([...r.chains.keys()]).toEqual([chain]);
    expect([...r.hairpin]).toEqual(['10.244.0.5 . 10.244.0.5', '10.244.1.5 . 10.244.1.5', '10.244.2.5 . 10.244.2.5']);
    expect(r.maps['no-endpoint-services'].size).toBe(0);
  });

  test('no ready endpoints: a reject for the ClusterIP and the NodePort instead of a chain', () => {
    const models = computeServiceModel([svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] })], [eps('web', [])]);
    const r = computeNftRules(models, opts);
    expect([...r.maps['no-endpoint-services']]).toEqual([['10.96.0.10 . tcp . 80', 'goto reject-chain']]);
    expect([...r.maps['no-endpoint-nodeports']]).toEqual([['tcp . 30080', 'goto reject-chain']]);
    expect(r.chains.size).toBe(0);
    expect(r.maps['service-ips'].size + r.maps['service-nodeports'].size).toBe(0);
  });

  test('NodePort and LoadBalancer go through an ext chain that masquerades', () => {
    const models = computeServiceModel(
      [svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ name: 'http', port: 80, nodePort: 30081 }] }, { loadBalancer: { ingress: [{ ip: '10.250.0.2' }, { ip: '10.250.0.3' }] } })],
      [eps('lb', ['10.244.0.5'], 8080, 'http')],
    );
    const r = computeNftRules(models, opts);
    const ext = extChain(models[0]);
    expect([...r.maps['service-nodeports']]).toEqual([['tcp . 30081', `goto ${ext}`]]);
    expect(r.maps['service-ips'].get('10.250.0.2 . tcp . 80')).toBe(`goto ${ext}`);
    expect(r.maps['service-ips'].get('10.250.0.3 . tcp . 80')).toBe(`goto ${ext}`);
    expect(r.chains.get(ext)).toEqual(['jump mark-for-masquerade comment "masquerade traffic from outside"', `goto ${svcChain(models[0])}`]);
    // One endpoint: no random choice.
    expect(r.chains.get(svcChain(models[0]))![1]).toBe('meta l4proto tcp dnat to 10.244.0.5:8080 comment "default/lb:http"');
  });

  test('ClientIP affinity: a set per endpoint with the timeout, checked before the random choice and updated in the endpoint chain', () => {
    const models = computeServiceModel([svc('s', { clusterIP: '10.96.0.12', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] })], [eps('s', ['10.244.0.5', '10.244.0.6'], 80)]);
    const r = computeNftRules(models, opts);
    expect([...r.sets.values()]).toEqual([60, 60]);
    const [aff5, aff6] = [...r.sets.keys()];
    const rules = r.chains.get(svcChain(models[0]))!;
    expect(rules.slice(1, 3)).toEqual([`ip saddr @${aff5} goto ${sepChain(models[0], { ip: '10.244.0.5', port: 80 })}`, `ip saddr @${aff6} goto ${sepChain(models[0], { ip: '10.244.0.6', port: 80 })}`]);
    expect(rules[3]).toMatch(/^numgen random mod 2/);
    expect(r.chains.get(sepChain(models[0], { ip: '10.244.0.6', port: 80 }))).toEqual([`update @${aff6} { ip saddr }`, 'meta l4proto tcp dnat to 10.244.0.6:80 comment "default/s: -> 10.244.0.6:80"']);
    const load = computeFullLoad('skiff-T', '10.244.0.0/16', r);
    expect(load).toContain(`set ${aff5} { type ipv4_addr; flags dynamic,timeout; timeout 60s; }`);
  });
});

describe('transactions', () => {
  const build = (ips: string[], extra: string[] = []) => {
    const services = [svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] }), svc('b', { clusterIP: '10.96.0.2', ports: [{ port: 80 }] })];
    return computeNftRules(computeServiceModel(services, [eps('a', ips, 80), eps('b', ['10.244.9.9', ...extra], 80)]), opts);
  };
  const a = computeServiceModel([svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] })], [eps('a', ['10.244.0.1'], 80)])[0];

  test('an endpoint change rewrites only that service\'s chain and the hairpin set', () => {
    const input = computeTransaction('skiff-T', build(['10.244.0.1', '10.244.0.2']), build(['10.244.0.1', '10.244.0.3']));
    expect(input.trim().split('\n')).toEqual([
      'delete element ip skiff-T hairpin { 10.244.0.2 . 10.244.0.2 }',
      `flush chain ip skiff-T ${svcChain(a)}`,
      `add rule ip skiff-T ${svcChain(a)} ip daddr 10.96.0.1 meta l4proto tcp th dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade comment "default/a: cluster IP"`,
      `add rule ip skiff-T ${svcChain(a)} meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.244.0.1 . 80, 1 : 10.244.0.3 . 80 } comment "default/a:"`,
      'add element ip skiff-T hairpin { 10.244.0.3 . 10.244.0.3 }',
    ]);
  });

  test('ClientIP affinity: a new endpoint\'s chain and set come first, the old one\'s go last', () => {
    const sticky = (ips: string[]) => computeNftRules(computeServiceModel([svc('a', { clusterIP: '10.96.0.1', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] })], [eps('a', ips, 80)]), opts);
    const lines = computeTransaction('skiff-T', sticky(['10.244.0.1', '10.244.0.2']), sticky(['10.244.0.1', '10.244.0.3'])).trim().split('\n');
    const old = sepChain(a, { ip: '10.244.0.2', port: 80 });
    const added = sepChain(a, { ip: '10.244.0.3', port: 80 });
    expect(lines.findIndex((l) => l.startsWith('add set'))).toBeLessThan(lines.indexOf(`add chain ip skiff-T ${added}`));
    expect(lines.indexOf(`add chain ip skiff-T ${added}`)).toBeLessThan(lines.indexOf(`flush chain ip skiff-T ${svcChain(a)}`));
    expect(lines.slice(-3, -1)).toEqual([`flush chain ip skiff-T ${old}`, `delete chain ip skiff-T ${old}`]);
    expect(lines.at(-1)).toMatch(/^delete set ip skiff-T aff-/);
  });

  test('nothing changed: nothing written', () => {
    expect(computeTransaction('skiff-T', build(['10.244.0.1']), build(['10.244.0.1']))).toBe('');
  });

  test('the last endpoint leaving swaps the map element for a reject, before its chain goes', () => {
    const lines = computeTransaction('skiff-T', build(['10.244.0.1']), build([])).trim().split('\n');
    expect(lines[0]).toBe('delete element ip skiff-T service-ips { 10.96.0.1 . tcp . 80 }');
    expect(lines).toContain('add element ip skiff-T no-endpoint-services { 10.96.0.1 . tcp . 80 : goto reject-chain }');
    expect(lines.slice(-2)).toEqual([`flush chain ip skiff-T ${svcChain(a)}`, `delete chain ip skiff-T ${svcChain(a)}`]);
  });
});

test('a full load replaces the cluster\'s table whole in one input; clusters have tables of their own', () => {
  const load = computeFullLoad(proxyTable('10.244.0.0/16'), '10.244.0.0/16', computeNftRules([], opts));
  expect(load.split('\n').slice(0, 3)).toEqual([`table ip ${proxyTable('10.244.0.0/16')}`, `delete table ip ${proxyTable('10.244.0.0/16')}`, `table ip ${proxyTable('10.244.0.0/16')} {`]);
  expect(proxyTable('10.244.0.0/16')).not.toBe(proxyTable('10.245.0.0/16'));
  expect(load).toContain('type nat hook prerouting priority -110');
  // Another cluster's pods on this kernel (on a Docker bridge, from outside this CIDR) are left to their own cluster's table.
  expect(load).toContain('chain services { iifname "br-*" ip saddr != 10.244.0.0/16 return; ip daddr . meta l4proto . th dport vmap @service-ips;');
  expect(load).toContain('chain rejects { iifname "br-*" ip saddr != 10.244.0.0/16 return;');
});
