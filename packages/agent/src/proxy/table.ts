// Pure: from Services and Endpoints, the listeners a node's service proxy needs and the backends
// behind each. A Service port is served on its ClusterIP (skiff allocates ClusterIPs in a loopback
// range, so the host can reach them without iptables) and, for NodePort/LoadBalancer Services,
// on the node's IP at the nodePort.
import type { KubeObject } from '@skiff/api';

export interface Backend {
  ip: string;
  port: number;
}

export interface ProxyRule {
  /** `ip:port/TCP` — identity of the listener. */
  key: string;
  service: string;
  portName: string;
  listenIP: string;
  listenPort: number;
  backends: Backend[];
}

export function computeProxyTable(services: readonly KubeObject[], endpoints: readonly KubeObject[], nodeIP: string): ProxyRule[] {
  const eps = new Map(endpoints.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
  const rules: ProxyRule[] = [];
  for (const svc of services) {
    const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const clusterIP: string | undefined = svc.spec?.clusterIP;
    const type: string = svc.spec?.type ?? 'ClusterIP';
    const ports: { name?: string; port: number; protocol?: string; nodePort?: number }[] = svc.spec?.ports ?? [];
    for (const p of ports) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue; // the proxy carries TCP only
      const backends = backendsFor(eps.get(name), p.name ?? '');
      const base = { service: name, portName: p.name ?? '', backends };
      if (clusterIP && clusterIP !== 'None') rules.push({ ...base, key: `${clusterIP}:${p.port}/TCP`, listenIP: clusterIP, listenPort: p.port });
      if ((type === 'NodePort' || type === 'LoadBalancer') && p.nodePort) rules.push({ ...base, key: `${nodeIP}:${p.nodePort}/TCP`, listenIP: nodeIP, listenPort: p.nodePort });
    }
  }
  return rules;
}

function backendsFor(ep: KubeObject | undefined, portName: string): Backend[] {
  const out: Backend[] = [];
  const subsets: { addresses?: { ip: string }[]; ports?: { name?: string; port: number; protocol?: string }[] }[] = (ep?.subsets as never) ?? [];
  for (const s of subsets) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (!port) continue;
    for (const a of s.addresses ?? []) out.push({ ip: a.ip, port: port.port });
  }
  return out;
}
