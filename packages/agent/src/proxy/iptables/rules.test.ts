import type { KubeObject } from '@skiff/api';
import { computeServiceModel } from './model.ts';
import { computeRestore, parseSavedChains } from './restore.ts';
import { computeRules, proxyChains } from './rules.ts';

const TOP = proxyChains('SKIFF-TEST1-');
const svcChain = TOP.svc;
const sepChain = TOP.sep;

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
const opts = { clusterCIDR: '10.244.0.0/16', chains: TOP };

describe('the kernel proxy rules', () => {
  test('a ClusterIP service: one chain, one DNAT chain per endpoint with 1/(n-i) probability', () => {
    const models = computeServiceModel([svc('web', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] })], [eps('web', ['10.244.0.5', '10.244.1.5', '10.244.2.5'])]);
    const r = computeRules(models, opts);
    const chain = svcChain(models[0]);
    expect(r.nat.get(TOP.services)![0]).toBe(`-m comment --comment "default/web: cluster IP" -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j ${chain}`);
    const rules = r.nat.get(chain)!;
    expect(rules[0]).toContain('! -s 10.244.0.0/16 -d 10.96.0.10/32');
    expect(rules[1]).toContain('--probability 0.3333333333');
    expect(rules[2]).toContain('--probability 0.5000000000');
    expect(rules[3]).not.toContain('probability');
    const sep = r.nat.get(sepChain(models[0], { ip: '10.244.1.5', port: 8080 }))!;
    expect(sep).toEqual([
      `-m comment --comment "default/web:" -s 10.244.1.5/32 -j ${TOP.markMasq}`,
      '-m comment --comment "default/web:" -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080',
    ]);
    expect(r.filter.get(TOP.services)).toEqual([]);
  });

  test('no ready endpoints: REJECT in the filter table instead of a chain', () => {
    const models = computeServiceModel([svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] })], [eps('web', [])]);
    const r = computeRules(models, opts);
    expect(r.filter.get(TOP.services)).toEqual(['-m comment --comment "default/web:" -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j REJECT']);
    expect(r.filter.get(TOP.externalServices)).toEqual(['-m comment --comment "default/web:" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT']);
    expect([...r.nat.keys()].some((c) => c.startsWith('SKIFF-TEST1-SVC-'))).toBe(false);
  });

  test('NodePort and LoadBalancer go through an EXT chain that masquerades', () => {
    const models = computeServiceModel(
      [svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.11', ports: [{ name: 'http', port: 80, nodePort: 30081 }] }, { loadBalancer: { ingress: [{ ip: '10.250.0.2' }, { ip: '10.250.0.3' }] } })],
      [eps('lb', ['10.244.0.5'], 8080, 'http')],
    );
    const r = computeRules(models, opts);
    const ext = [...r.nat.keys()].find((c) => c.startsWith('SKIFF-TEST1-EXT-'))!;
    expect(r.nat.get(TOP.nodePorts)).toEqual([`-m comment --comment "default/lb:http" -p tcp -m tcp --dport 30081 -j ${ext}`]);
    expect(r.nat.get(TOP.services)!.filter((x) => x.includes(ext))).toHaveLength(2);
    expect(r.nat.get(TOP.services)!.at(-1)).toContain(`--dst-type LOCAL -j ${TOP.nodePorts}`);
    expect(r.nat.get(ext)).toEqual([`-m comment --comment "masquerade traffic from outside" -j ${TOP.markMasq}`, `-j ${svcChain(models[0])}`]);
  });

  test('ClientIP affinity: recent-match rules before the random choice, and --set in each endpoint chain', () => {
    const models = computeServiceModel([svc('s', { clusterIP: '10.96.0.12', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] })], [eps('s', ['10.244.0.5', '10.244.0.6'], 80)]);
    const r = computeRules(models, opts);
    const rules = r.nat.get(svcChain(models[0]))!;
    expect(rules[1]).toContain('--rcheck --seconds 60 --reap');
    expect(rules[2]).toContain('--rcheck --seconds 60 --reap');
    expect(r.nat.get(sepChain(models[0], { ip: '10.244.0.6', port: 80 }))![1]).toContain('--rsource --set -j DNAT');
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

describe('incremental restore', () => {
  const build = (ips: string[], extra: string[] = []) => {
    const services = [svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] }), svc('b', { clusterIP: '10.96.0.2', ports: [{ port: 80 }] })];
    return computeRules(computeServiceModel(services, [eps('a', ips, 80), eps('b', ['10.244.9.9', ...extra], 80)]), opts);
  };

  test('an endpoint change rewrites only that service\'s chain and its new/old endpoint chains', () => {
    const before = build(['10.244.0.1', '10.244.0.2']);
    const after = build(['10.244.0.1', '10.244.0.3']);
    const input = computeRestore(before, after);
    const declared = input.split('\n').filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]);
    const models = computeServiceModel([svc('a', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] })], [eps('a', ['10.244.0.1'], 80)]);
    expect(declared.sort()).toEqual([svcChain(models[0]), sepChain(models[0], { ip: '10.244.0.3', port: 80 }), sepChain(models[0], { ip: '10.244.0.2', port: 80 })].sort());
    expect(input).toContain(`-X ${sepChain(models[0], { ip: '10.244.0.2', port: 80 })}`);
    expect(input).not.toContain('*filter');
    expect(input).not.toContain(TOP.services);
  });

  test('nothing changed: nothing written', () => {
    expect(computeRestore(build(['10.244.0.1']), build(['10.244.0.1']))).toBe('');
  });

  test('the last endpoint leaving swaps the chain for a REJECT', () => {
    const input = computeRestore(build(['10.244.0.1']), build([]));
    expect(input).toContain('*filter');
    expect(input).toMatch(/-A SKIFF-TEST1-SERVICES .*-d 10\.96\.0\.1\/32 .*-j REJECT/);
  });
});

test('a first sync takes over the proxy chains an earlier run of its cluster left, never the pod network\'s nor another cluster\'s', () => {
  const saved = parseSavedChains('*nat\n:PREROUTING ACCEPT [0:0]\n:SKIFF-TEST1-SERVICES - [0:0]\n:SKIFF-TEST1-SVC-OLD - [0:0]\n:SKIFF-TEST1-PODNAT - [0:0]\n:SKIFF-OTHER-SVC-X - [0:0]\nCOMMIT\n*filter\n:SKIFF-TEST1-PODFWD - [0:0]\n:SKIFF-TEST1-SERVICES - [0:0]\nCOMMIT\n', 'SKIFF-TEST1-');
  expect([...saved.nat.keys()]).toEqual(['SKIFF-TEST1-SERVICES', 'SKIFF-TEST1-SVC-OLD']);
  expect([...saved.filter.keys()]).toEqual(['SKIFF-TEST1-SERVICES']);
  const input = computeRestore(saved, computeRules([], opts));
  expect(input).toContain('-X SKIFF-TEST1-SVC-OLD');
  expect(input).not.toContain('POD');
  expect(input).not.toContain('OTHER');
});

test('every chain name fits iptables\' 28 characters', () => {
  const m = computeServiceModel([svc('a-very-long-service-name-of-sixty-three-characters-xxxxxxxxxxxx', { type: 'NodePort', clusterIP: '10.96.0.1', ports: [{ port: 80, nodePort: 30001 }] })], [eps('a-very-long-service-name-of-sixty-three-characters-xxxxxxxxxxxx', ['10.244.0.1'], 80)]);
  const r = computeRules(m, { clusterCIDR: '10.244.0.0/16', chains: proxyChains('SKIFF-ABCDE-') });
  for (const c of [...r.nat.keys(), ...r.filter.keys()]) expect(c.length).toBeLessThanOrEqual(28);
});
