// Pure: the iptables chains of the kernel service proxy, in kube-proxy's iptables-mode layout
// (every name below is prefixed with the cluster's `SKIFF-<tag>-` instead of `SKIFF-`, so that
// clusters sharing a kernel keep to their own chains: ../../iptables/cluster-chains.ts):
//
//   nat PREROUTING, OUTPUT -> SKIFF-SERVICES
//     -d CLUSTER_IP -p P --dport PORT            -> SKIFF-SVC-x     (one chain per service port)
//     -d LB_IP -p P --dport PORT                 -> SKIFF-EXT-x
//     (last) dst-type LOCAL                      -> SKIFF-NODEPORTS -> --dport NODEPORT -> SKIFF-EXT-x
//   SKIFF-EXT-x: mark for masquerade, then SKIFF-SVC-x
//   SKIFF-SVC-x: mark traffic from outside the cluster CIDR; with ClientIP affinity, go back to the
//     endpoint this client used recently; else pick endpoint i of n with probability 1/(n-i)
//   SKIFF-SEP-y (one chain per endpoint): mark hairpin traffic, DNAT to the endpoint
//   nat POSTROUTING -> SKIFF-POSTROUTING: masquerade what was marked
//   filter INPUT, FORWARD, OUTPUT -> SKIFF-SERVICES / SKIFF-EXTERNAL: REJECT a service
//     port without ready endpoints (the client gets "connection refused" at once, not a timeout)
//
// Chains are named by a hash of what they stand for, so a chain's name changes only when its
// meaning does; ./restore.ts writes only the chains whose rules changed.
import { createHash } from 'node:crypto';
import type { Chains, Jump, Ruleset } from '../../iptables/cluster-chains.ts';
import type { Endpoint, ServicePortModel } from './model.ts';

export const MARK = '0x4000/0x4000';

/** The names of one cluster's proxy chains: `SKIFF-<tag>-...` (../../iptables/cluster-chains.ts). */
export interface ProxyChains {
  services: string;
  nodePorts: string;
  postrouting: string;
  markMasq: string;
  externalServices: string;
  svc(m: ServicePortModel): string;
  ext(m: ServicePortModel): string;
  sep(m: ServicePortModel, e: Endpoint): string;
}

// 12 characters of hash: with the 12-character cluster prefix and `SVC-`, 28, iptables' limit.
const hash = (s: string) => createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'X').slice(0, 12).toUpperCase();

export function proxyChains(prefix: string): ProxyChains {
  return {
    services: `${prefix}SERVICES`,
    nodePorts: `${prefix}NODEPORTS`,
    postrouting: `${prefix}POSTROUTING`,
    markMasq: `${prefix}MARK-MASQ`,
    externalServices: `${prefix}EXTERNAL`,
    svc: (m) => `${prefix}SVC-${hash(`${m.id}/${m.protocol}`)}`,
    ext: (m) => `${prefix}EXT-${hash(`${m.id}/${m.protocol}`)}`,
    sep: (m, e) => `${prefix}SEP-${hash(`${m.id}/${m.protocol}/${e.ip}:${e.port}`)}`,
  };
}

/** Chains of the pod network (../../network/host-rules.ts) share the cluster's prefix but are not the proxy's. */
export const isProxyChain = (prefix: string, chain: string) => chain.startsWith(prefix) && !chain.startsWith(`${prefix}POD`);

export interface RulesOptions {
  /** Traffic from outside this range to a ClusterIP is masqueraded (kube-proxy's --cluster-cidr). */
  clusterCIDR: string;
  chains: ProxyChains;
}

const comment = (text: string) => `-m comment --comment "${text.replace(/"/g, '')}"`;
const proto = (m: ServicePortModel) => m.protocol.toLowerCase();

export function computeRules(models: readonly ServicePortModel[], o: RulesOptions): Ruleset {
  const TOP = o.chains; // named as kube-proxy's top-level chains
  const nat: Chains = new Map();
  const filter: Chains = new Map();
  const services: string[] = [];
  const nodePorts: string[] = [];
  const rejects: string[] = [];
  const externalRejects: string[] = [];

  for (const m of models) {
    const p = proto(m);
    const c = comment(m.id);
    const hasEndpoints = m.endpoints.length > 0;
    if (!hasEndpoints) {
      if (m.clusterIP) rejects.push(`${c} -d ${m.clusterIP}/32 -p ${p} -m ${p} --dport ${m.port} -j REJECT`);
      for (const ip of m.loadBalancerIPs) rejects.push(`${c} -d ${ip}/32 -p ${p} -m ${p} --dport ${m.port} -j REJECT`);
      if (m.nodePort) externalRejects.push(`${c} -m addrtype --dst-type LOCAL -p ${p} -m ${p} --dport ${m.nodePort} -j REJECT`);
      continue;
    }
    const svc = TOP.svc(m);
    const ext = TOP.ext(m);
    const external = m.nodePort !== undefined || m.loadBalancerIPs.length > 0;
    if (m.clusterIP) services.push(`${comment(`${m.id} cluster IP`)} -d ${m.clusterIP}/32 -p ${p} -m ${p} --dport ${m.port} -j ${svc}`);
    for (const ip of m.loadBalancerIPs) services.push(`${comment(`${m.id} loadbalancer IP`)} -d ${ip}/32 -p ${p} -m ${p} --dport ${m.port} -j ${ext}`);
    if (m.nodePort) nodePorts.push(`${c} -p ${p} -m ${p} --dport ${m.nodePort} -j ${ext}`);
    if (external) nat.set(ext, [`${comment('masquerade traffic from outside')} -j ${TOP.markMasq}`, `-j ${svc}`]);

    const rules: string[] = [];
    if (m.clusterIP) rules.push(`${comment(`${m.id} cluster IP`)} ! -s ${o.clusterCIDR} -d ${m.clusterIP}/32 -p ${p} -m ${p} --dport ${m.port} -j ${TOP.markMasq}`);
    const n = m.endpoints.length;
    if (m.affinitySeconds !== undefined) {
      for (const e of m.endpoints) rules.push(`${comment(`${m.id} -> ${e.ip}:${e.port}`)} -m recent --name ${TOP.sep(m, e)} --mask 255.255.255.255 --rsource --rcheck --seconds ${m.affinitySeconds} --reap -j ${TOP.sep(m, e)}`);
    }
    m.endpoints.forEach((e, i) => {
      const probability = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)}` : '';
      rules.push(`${comment(`${m.id} -> ${e.ip}:${e.port}`)}${probability} -j ${TOP.sep(m, e)}`);
    });
    nat.set(svc, rules);
    for (const e of m.endpoints) {
      const sep = [`${c} -s ${e.ip}/32 -j ${TOP.markMasq}`];
      const recent = m.affinitySeconds !== undefined ? ` -m recent --name ${TOP.sep(m, e)} --mask 255.255.255.255 --rsource --set` : '';
      sep.push(`${c} -p ${p} -m ${p}${recent} -j DNAT --to-destination ${e.ip}:${e.port}`);
      nat.set(TOP.sep(m, e), sep);
    }
  }
  // NodePorts last: they match any local address, ClusterIPs and LB IPs are more specific.
  services.push(`${comment('nodeports; must be last')} -m addrtype --dst-type LOCAL -j ${TOP.nodePorts}`);
  nat.set(TOP.services, services);
  nat.set(TOP.nodePorts, nodePorts);
  nat.set(TOP.markMasq, [`-j MARK --set-xmark ${MARK}`]);
  nat.set(TOP.postrouting, [`-m mark ! --mark ${MARK} -j RETURN`, '-j MARK --set-xmark 0x4000/0x0', `${comment('service traffic requiring SNAT')} -j MASQUERADE --random-fully`]);
  filter.set(TOP.services, rejects);
  filter.set(TOP.externalServices, externalRejects);
  return { nat, filter };
}

/** Where the top-level chains are jumped to from the built-in ones. */
export function proxyJumps(c: ProxyChains): Jump[] {
  const NEW = '-m conntrack --ctstate NEW';
  return [
    { table: 'nat', from: 'PREROUTING', to: c.services },
    { table: 'nat', from: 'OUTPUT', to: c.services },
    { table: 'nat', from: 'POSTROUTING', to: c.postrouting },
    { table: 'filter', from: 'INPUT', to: c.services, match: NEW },
    { table: 'filter', from: 'FORWARD', to: c.services, match: NEW },
    { table: 'filter', from: 'OUTPUT', to: c.services, match: NEW },
    { table: 'filter', from: 'INPUT', to: c.externalServices, match: NEW },
    { table: 'filter', from: 'FORWARD', to: c.externalServices, match: NEW },
  ];
}
