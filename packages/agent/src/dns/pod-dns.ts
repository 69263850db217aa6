// Pure: a pod's resolv.conf from its dnsPolicy and dnsConfig, as the kubelet writes it:
// - ClusterFirst (the default): the cluster DNS, search NS.svc.ZONE svc.ZONE ZONE then the host's
//   searches, ndots:5. A hostNetwork pod with ClusterFirst gets the host's (as Default).
// - ClusterFirstWithHostNet: the cluster DNS also for a hostNetwork pod (which reaches it on the
//   node's pod network gateway, a local address of its host).
// - Default: the host's resolv.conf. A hostNetwork pod's containers see the host's file as it is;
//   a pod on the pod network gets a copy written into its holder (Docker would point it at its
//   embedded relay, 127.0.0.11, instead).
// - None: only what dnsConfig says.
// dnsConfig's nameservers and searches are appended, its options override by name.
import type { KubeObject } from '@skiff/api';
import type { PodDNS } from '../network/docker-pod-network.ts';

export interface PodDnsInput {
  pod: KubeObject;
  /** The cluster DNS server the node's pods reach. */
  clusterDNS: string;
  zone: string;
  host: { nameservers: string[]; searches: string[]; options: string[] };
}

/** Undefined means "the host's resolv.conf as it is" (a hostNetwork pod's). */
export function computePodDNS(i: PodDnsInput): PodDNS | undefined {
  const spec = i.pod.spec ?? {};
  const policy: string = spec.dnsPolicy ?? 'ClusterFirst';
  const cfg = (spec.dnsConfig ?? {}) as { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
  let base: PodDNS | undefined;
  if (policy === 'None') base = { servers: [], searches: [], options: [] };
  else if (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork)) {
    const ns = i.pod.metadata.namespace ?? 'default';
    base = { servers: [i.clusterDNS], searches: [`${ns}.svc.${i.zone}`, `svc.${i.zone}`, i.zone, ...i.host.searches], options: ['ndots:5'] };
  } else if (!spec.dnsConfig && spec.hostNetwork) return undefined;
  else base = { servers: [...i.host.nameservers], searches: [...i.host.searches], options: [...i.host.options] };

  const options = new Map(base.options.map((o) => [o.split(':')[0], o]));
  for (const o of cfg.options ?? []) options.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  return {
    // The resolver reads three nameservers and six search domains at most (the kubelet trims likewise).
    servers: [...base.servers, ...(cfg.nameservers ?? [])].slice(0, 3),
    searches: dedupe([...base.searches, ...(cfg.searches ?? [])]).slice(0, 32),
    options: [...options.values()],
  };
}

const dedupe = (xs: string[]) => [...new Set(xs)];

/** The resolv.conf text, as the kubelet writes it. */
export function renderResolvConf(dns: PodDNS): string {
  return [
    ...(dns.searches.length ? [`search ${dns.searches.join(' ')}`] : []),
    ...dns.servers.map((s) => `nameserver ${s}`),
    ...(dns.options.length ? [`options ${dns.options.join(' ')}`] : []),
    '',
  ].join('\n');
}
