import { computePodDNS } from './pod-dns.ts';

const host = { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: ['timeout:2'] };
const pod = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...spec } });
const input = (spec: Record<string, unknown>) => ({ pod: pod(spec), clusterDNS: '10.244.1.1', zone: 'cluster.local', host });

describe('resolv.conf per dnsPolicy', () => {
  test('ClusterFirst (the default): cluster DNS, the namespace search path then the host\'s, ndots:5', () => {
    expect(computePodDNS(input({}))).toEqual({ servers: ['10.244.1.1'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] });
  });

  test('ClusterFirst on the host network falls back to the host\'s; ClusterFirstWithHostNet does not', () => {
    expect(computePodDNS(input({ hostNetwork: true }))).toBeUndefined();
    expect(computePodDNS(input({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }))?.servers).toEqual(['10.244.1.1']);
  });

  test('Default is the host\'s resolv.conf; with dnsConfig, the host\'s plus the additions', () => {
    // Written into the pod's holder (not Docker's relay); a hostNetwork pod keeps the host's file itself.
    expect(computePodDNS(input({ dnsPolicy: 'Default' }))).toEqual({ servers: ['192.0.2.53'], searches: ['corp.example'], options: ['timeout:2'] });
    expect(computePodDNS(input({ dnsPolicy: 'Default', hostNetwork: true }))).toBeUndefined();
    expect(computePodDNS(input({ dnsPolicy: 'Default', dnsConfig: { searches: ['x.example'] } }))).toEqual({ servers: ['192.0.2.53'], searches: ['corp.example', 'x.example'], options: ['timeout:2'] });
  });

  test('None takes only dnsConfig; options override by name', () => {
    expect(computePodDNS(input({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }))).toEqual({ servers: ['1.2.3.4'], searches: ['a.example'], options: ['ndots:2', 'edns0'] });
    expect(computePodDNS(input({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }))?.options).toEqual(['ndots:1']);
  });
});
