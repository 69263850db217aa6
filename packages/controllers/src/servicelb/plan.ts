// Pure: the load-balancer status of a `type: LoadBalancer` Service, as k3s's ServiceLB gives it:
// the Service is answered on every node (each node's kernel proxy answers its IP at the Service's
// port), so its ingress lists the InternalIPs of the Ready nodes.
import type { KubeObject } from '@skiff/api';

export function computeLoadBalancerIngress(service: KubeObject, nodes: readonly KubeObject[]): { ip: string; ipMode: 'VIP' }[] {
  if (service.spec?.type !== 'LoadBalancer') return [];
  const ips = new Set<string>();
  for (const n of nodes) {
    const conditions = (n.status?.conditions ?? []) as { type: string; status: string }[];
    if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    if (n.spec?.unschedulable) continue;
    const ip = ((n.status?.addresses ?? []) as { type: string; address: string }[]).find((a) => a.type === 'InternalIP')?.address;
    if (ip) ips.add(ip);
  }
  return [...ips].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((ip) => ({ ip, ipMode: 'VIP' as const }));
}
