// Pure: from Services and their EndpointSlices, what the kernel must do for each Service port on this node:
// the addresses it answers on (ClusterIP, every node's IP at the nodePort, LoadBalancer ingress
// IPs) and the ready endpoints behind it. The iptables rules are rendered from this (./rules.ts).
import { groupSlicesByService, type KubeObject } from '@skiff/api';

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

interface EndpointSlicePort {
  name?: string;
  port?: number | null;
  protocol?: string;
}

interface SliceEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
}

export function computeServiceModel(services: readonly KubeObject[], slices: readonly KubeObject[]): ServicePortModel[] {
  const byService = groupSlicesByService(slices);
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
        endpoints: endpointsFor(byService.get(name) ?? [], p.name ?? '', protocol),
      });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id) || a.protocol.localeCompare(b.protocol));
}

/**
 * The endpoints traffic to one service port goes to, as kube-proxy picks them from the Service's
 * EndpointSlices: the ready ones (a missing `ready` means ready); when there are none, the ones
 * still serving while terminating, so that connections keep being answered while the last pods of
 * a rollout shut down.
 */
function endpointsFor(slices: readonly KubeObject[], portName: string, protocol: string): Endpoint[] {
  const ready = new Map<string, Endpoint>();
  const terminating = new Map<string, Endpoint>();
  for (const s of slices) {
    const port = ((s.ports ?? []) as EndpointSlicePort[]).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port || port.port === undefined || port.port === null) continue;
    for (const e of (s.endpoints ?? []) as SliceEndpoint[]) {
      const c = e.conditions ?? {};
      const into = c.ready !== false ? ready : c.serving && c.terminating ? terminating : undefined;
      for (const ip of into ? e.addresses ?? [] : []) into!.set(`${ip}:${port.port}`, { ip, port: port.port });
    }
  }
  const chosen = ready.size ? ready : terminating;
  return [...chosen.values()].sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || a.port - b.port);
}
