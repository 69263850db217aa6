// Pure: from Services and Endpoints, what the kernel must do for each Service port on this node:
// the addresses it answers on (ClusterIP, every node's IP at the nodePort, LoadBalancer ingress
// IPs) and the ready endpoints behind it. The iptables rules are rendered from this (./rules.ts).
import type { KubeObject } from '@skiff/api';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ServicePortModel {
  /** `namespace/name:portName` (portName may be empty), as kube-proxy's ServicePortName. */
  id: string;
  protocol: Protocol;
  clusterIP?: string;
  port: number;
  nodePort?: number;
  /** LoadBalancer ingress addresses answered at `port`. */
  loadBalancerIPs: string[];
  /** ClientIP affinity timeout in seconds, when sessionAffinity is ClientIP. */
  affinitySeconds?: number;
  endpoints: Endpoint[];
}

interface EndpointSubset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number; protocol?: string }[];
}

export function computeServiceModel(services: readonly KubeObject[], endpoints: readonly KubeObject[]): ServicePortModel[] {
  const eps = new Map(endpoints.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
  const out: ServicePortModel[] = [];
  for (const svc of services) {
    const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const spec = svc.spec ?? {};
    const type: string = spec.type ?? 'ClusterIP';
    if (type === 'ExternalName') continue;
    const clusterIP: string | undefined = spec.clusterIP && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
    // Headless Services are answered by DNS with the pods' own addresses; the kernel has nothing to do.
    if (!clusterIP) continue;
    const lbIPs: string[] = type === 'LoadBalancer' ? ((svc.status?.loadBalancer?.ingress ?? []) as { ip?: string }[]).flatMap((i) => (i.ip ? [i.ip] : [])) : [];
    const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : undefined;
    for (const p of (spec.ports ?? []) as { name?: string; port: number; protocol?: Protocol; nodePort?: number }[]) {
      const protocol = p.protocol ?? 'TCP';
      out.push({
        id: `${name}:${p.name ?? ''}`,
        protocol,
        clusterIP,
        port: p.port,
        nodePort: (type === 'NodePort' || type === 'LoadBalancer') && p.nodePort ? p.nodePort : undefined,
        loadBalancerIPs: lbIPs,
        affinitySeconds: affinity,
        endpoints: endpointsFor(eps.get(name), p.name ?? '', protocol),
      });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id) || a.protocol.localeCompare(b.protocol));
}

/** Ready endpoints of one service port (the Endpoints controller lists not-ready ones apart). */
function endpointsFor(ep: KubeObject | undefined, portName: string, protocol: string): Endpoint[] {
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const s of (ep?.subsets ?? []) as EndpointSubset[]) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port) continue;
    for (const a of s.addresses ?? []) {
      const key = `${a.ip}:${port.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ip: a.ip, port: port.port });
    }
  }
  return out.sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || a.port - b.port);
}
