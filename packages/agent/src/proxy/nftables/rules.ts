// Pure: the kernel service proxy's nftables table, in the layout of kube-proxy's nftables mode.
// Every cluster has a table of its own, `ip skiff-<tag>` (the tag as in ../../iptables/cluster-chains.ts),
// so clusters sharing a kernel never touch each other's rules, and nothing of Docker's:
//
//   base chains (hooks; priorities just before Docker's iptables chains at the same hooks, so the
//   service DNAT and masquerade happen first and Docker's rules see the translated packets):
//     nat-prerouting, nat-output  -> services
//     nat-postrouting             -> masquerading
//     filter-input, filter-forward, filter-output (new connections) -> rejects (+ nodeport-rejects)
//   services: first, packets from another cluster's pods on this host (they come in on a Docker
//     bridge, `br-*`, from outside this cluster's CIDR) return: each cluster's pods reach their
//     own cluster's Services even when two clusters on one kernel use the same service CIDR (both
//     have `kubernetes` at 10.96.0.1); then
//     `ip daddr . meta l4proto . th dport vmap @service-ips` (ClusterIP and LoadBalancer
//     IP -> the service port's chain), then for local addresses `meta l4proto . th dport vmap
//     @service-nodeports`: one map lookup, however many Services there are
//   svc-X (one per service port): mark traffic from outside the cluster CIDR, then DNAT to an
//     endpoint picked by `dnat ip to numgen random mod N map { 0 : IP . PORT, ... }`; with ClientIP
//     affinity instead: back to the endpoint this client used recently (`ip saddr @aff-Y goto
//     sep-Y`), else `numgen random mod N vmap { 0 : goto sep-A, ... }`
//   ext-X: mark for masquerade, then svc-X (NodePorts and LoadBalancer IPs)
//   sep-Y (one per endpoint, only for ClientIP affinity): remember the client, DNAT
//   (No chain per endpoint otherwise: nft 1.0 reads every chain of the table to resolve a chain
//   name in a transaction, so the chain count is what a small change costs.)
//   rejects / nodeport-rejects: a service port without endpoints is refused (`reject`), looked up
//     in @no-endpoint-services / @no-endpoint-nodeports
//   masquerading: masquerade hairpin traffic (a pod DNATed to itself: `ip saddr . ip daddr` in
//     the set @hairpin of every endpoint's `IP . IP`), and what was marked (the 0x4000 bit the pod
//     network's iptables rules also know: ../../network/host-rules.ts)
//
// Service, ext and endpoint chains are named by a hash of what they stand for, so a change of
// endpoints rewrites one svc chain and adds or deletes the endpoint chains that came or went
// (./transaction.ts).
import { createHash } from 'node:crypto';
import { clusterTable } from '../../iptables/cluster-chains.ts';
import type { Endpoint, ServicePortModel } from '../model.ts';

export const MARK = 0x4000;

/** Priorities of the base chains: Docker's iptables-nft chains sit at dstnat (-100), filter (0) and srcnat (100). */
export const PRIORITY = { dstnat: -110, filter: -110, srcnat: 90 } as const;

/**
 * Rules of the chains the proxy rewrites as Services change; maps' elements (key -> verdict);
 * affinity sets (name -> timeout s); the elements of the hairpin set (`IP . IP`).
 */
export interface NftRuleset {
  chains: Map<string, string[]>;
  maps: Record<NftMap, Map<string, string>>;
  sets: Map<string, number>;
  hairpin: Set<string>;
}

export type NftMap = 'service-ips' | 'service-nodeports' | 'no-endpoint-services' | 'no-endpoint-nodeports';
export const MAPS: Record<NftMap, string> = {
  'service-ips': 'ipv4_addr . inet_proto . inet_service : verdict',
  'service-nodeports': 'inet_proto . inet_service : verdict',
  'no-endpoint-services': 'ipv4_addr . inet_proto . inet_service : verdict',
  'no-endpoint-nodeports': 'inet_proto . inet_service : verdict',
};

/** The cluster's table name, e.g. `skiff-1A2B3`. */
export const proxyTable = clusterTable;

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'X').slice(0, 12).toUpperCase();
const id = (m: ServicePortModel) => `${m.id}/${m.protocol}`;
export const svcChain = (m: ServicePortModel) => `svc-${hash(id(m))}`;
export const extChain = (m: ServicePortModel) => `ext-${hash(id(m))}`;
export const sepChain = (m: ServicePortModel, e: Endpoint) => `sep-${hash(`${id(m)}/${e.ip}:${e.port}`)}`;
// The timeout is part of the name: a set whose timeout changes is a new set.
const affinitySet = (m: ServicePortModel, e: Endpoint) => `aff-${hash(`${id(m)}/${e.ip}:${e.port}/${m.affinitySeconds}`)}`;

const comment = (text: string) => ` comment "${text.replace(/["\\]/g, '').slice(0, 120)}"`;
const proto = (m: ServicePortModel) => m.protocol.toLowerCase();

/** The table's fixed part: base chains, the dispatch chains and the maps' declarations (written whole on the first sync). */
export function staticTable(clusterCIDR: string): string {
  const foreignPods = `iifname "br-*" ip saddr != ${clusterCIDR} return`;
  const maps = (Object.entries(MAPS) as [NftMap, string][]).map(([name, type]) => `  map ${name} { type ${type}; }`);
  return [
    ...maps,
    `  chain nat-prerouting { type nat hook prerouting priority ${PRIORITY.dstnat}; policy accept; jump services; }`,
    `  chain nat-output { type nat hook output priority ${PRIORITY.dstnat}; policy accept; jump services; }`,
    `  chain nat-postrouting { type nat hook postrouting priority ${PRIORITY.srcnat}; policy accept; jump masquerading; }`,
    `  chain filter-input { type filter hook input priority ${PRIORITY.filter}; policy accept; ct state new jump rejects; ct state new jump nodeport-rejects; }`,
    `  chain filter-forward { type filter hook forward priority ${PRIORITY.filter}; policy accept; ct state new jump rejects; ct state new jump nodeport-rejects; }`,
    `  chain filter-output { type filter hook output priority ${PRIORITY.filter}; policy accept; ct state new jump rejects; }`,
    `  chain services { ${foreignPods}; ip daddr . meta l4proto . th dport vmap @service-ips; fib daddr type local meta l4proto . th dport vmap @service-nodeports; }`,
    `  chain rejects { ${foreignPods}; ip daddr . meta l4proto . th dport vmap @no-endpoint-services; }`,
    '  chain nodeport-rejects { fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports; }',
    '  chain reject-chain { reject; }',
    '  set hairpin { type ipv4_addr . ipv4_addr; }',
    `  chain mark-for-masquerade { meta mark set meta mark | ${hex(MARK)}; }`,
    `  chain masquerading { ct status dnat ip saddr . ip daddr @hairpin masquerade fully-random; meta mark & ${hex(MARK)} == 0 return; meta mark set meta mark ^ ${hex(MARK)}; masquerade fully-random; }`,
  ].join('\n');
}

const hex = (n: number) => `0x${n.toString(16)}`;

export interface NftRulesOptions {
  /** Traffic from outside this range to a ClusterIP is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR: string;
}

export function computeNftRules(models: readonly ServicePortModel[], o: NftRulesOptions): NftRuleset {
  const chains = new Map<string, string[]>();
  const maps: NftRuleset['maps'] = { 'service-ips': new Map(), 'service-nodeports': new Map(), 'no-endpoint-services': new Map(), 'no-endpoint-nodeports': new Map() };
  const sets = new Map<string, number>();
  const hairpin = new Set<string>();
  for (const m of models) {
    const p = proto(m);
    if (m.endpoints.length === 0) {
      if (m.clusterIP) maps['no-endpoint-services'].set(`${m.clusterIP} . ${p} . ${m.port}`, 'goto reject-chain');
      for (const ip of m.loadBalancerIPs) maps['no-endpoint-services'].set(`${ip} . ${p} . ${m.port}`, 'goto reject-chain');
      if (m.nodePort) maps['no-endpoint-nodeports'].set(`${p} . ${m.nodePort}`, 'goto reject-chain');
      continue;
    }
    const svc = svcChain(m);
    const ext = extChain(m);
    if (m.clusterIP) maps['service-ips'].set(`${m.clusterIP} . ${p} . ${m.port}`, `goto ${svc}`);
    for (const ip of m.loadBalancerIPs) maps['service-ips'].set(`${ip} . ${p} . ${m.port}`, `goto ${ext}`);
    if (m.nodePort) maps['service-nodeports'].set(`${p} . ${m.nodePort}`, `goto ${ext}`);
    if (m.nodePort !== undefined || m.loadBalancerIPs.length > 0) chains.set(ext, [`jump mark-for-masquerade${comment('masquerade traffic from outside')}`, `goto ${svc}`]);

    const rules: string[] = [];
    if (m.clusterIP) rules.push(`ip daddr ${m.clusterIP} meta l4proto ${p} th dport ${m.port} ip saddr != ${o.clusterCIDR} jump mark-for-masquerade${comment(`${m.id} cluster IP`)}`);
    for (const e of m.endpoints) hairpin.add(`${e.ip} . ${e.ip}`);
    const n = m.endpoints.length;
    if (m.affinitySeconds === undefined) {
      const to = n === 1 ? `dnat to ${m.endpoints[0].ip}:${m.endpoints[0].port}` : `dnat ip to numgen random mod ${n} map { ${m.endpoints.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ')} }`;
      rules.push(`meta l4proto ${p} ${to}${comment(m.id)}`);
      chains.set(svc, rules);
      continue;
    }
    for (const e of m.endpoints) {
      sets.set(affinitySet(m, e), m.affinitySeconds);
      rules.push(`ip saddr @${affinitySet(m, e)} goto ${sepChain(m, e)}`);
    }
    rules.push(n === 1 ? `goto ${sepChain(m, m.endpoints[0])}${comment(`${m.id} -> ${m.endpoints[0].ip}:${m.endpoints[0].port}`)}` : `numgen random mod ${n} vmap { ${m.endpoints.map((e, i) => `${i} : goto ${sepChain(m, e)}`).join(', ')} }${comment(m.id)}`);
    chains.set(svc, rules);
    for (const e of m.endpoints) {
      chains.set(sepChain(m, e), [`update @${affinitySet(m, e)} { ip saddr }`, `meta l4proto ${p} dnat to ${e.ip}:${e.port}${comment(`${m.id} -> ${e.ip}:${e.port}`)}`]);
    }
  }
  return { chains, maps, sets, hairpin };
}

/** One ruleset from several (the proxy keeps one per Service and merges the changed ones). */
export function mergeNftRulesets(parts: readonly NftRuleset[]): NftRuleset {
  const out: NftRuleset = { chains: new Map(), maps: { 'service-ips': new Map(), 'service-nodeports': new Map(), 'no-endpoint-services': new Map(), 'no-endpoint-nodeports': new Map() }, sets: new Map(), hairpin: new Set() };
  for (const r of parts) {
    for (const [k, v] of r.chains) out.chains.set(k, v);
    for (const map of Object.keys(MAPS) as NftMap[]) for (const [k, v] of r.maps[map]) out.maps[map].set(k, v);
    for (const [k, v] of r.sets) out.sets.set(k, v);
    for (const h of r.hairpin) out.hairpin.add(h);
  }
  return out;
}

export const emptyNftRuleset = (): NftRuleset => mergeNftRulesets([]);
