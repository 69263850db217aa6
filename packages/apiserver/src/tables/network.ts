// Services and Endpoints.
import { ageSince } from './duration.ts';
import { formatLabels } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

interface ServicePort {
  port: number;
  nodePort?: number;
  protocol?: string;
}

/** `80/TCP`, `80:30080/TCP`, comma-joined. */
export function portsString(ports: ServicePort[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(',');
}

function loadBalancerIngress(status: any): string {
  const seen = new Set<string>();
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) seen.add(ing.ip);
    else if (ing.hostname) seen.add(ing.hostname);
  }
  return [...seen].sort().join(',');
}

/**
 * The EXTERNAL-IP cell. The API server prints with wide options, so load-balancer addresses are
 * never clipped to 16 characters here.
 */
export function externalIP(svc: { spec?: any; status?: any }): string {
  const spec = svc.spec ?? {};
  const externalIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service.'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', {
      priority: 1,
    }),
  ],
  cells(svc, now) {
    const spec = svc.spec ?? {};
    return [
      svc.metadata.name ?? '',
      spec.type ?? 'ClusterIP',
      spec.clusterIPs?.[0] ?? spec.clusterIP ?? '<none>',
      externalIP(svc),
      portsString(spec.ports) || '<none>',
      ageSince(svc.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};

interface EndpointSubset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

/** `10.0.0.1:80,10.0.0.2:80 + 1 more...` — at most three entries, then a count of the rest. */
export function formatEndpoints(subsets: EndpointSubset[] | undefined): string {
  if (!subsets || subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  const add = (entry: string) => {
    if (list.length < max) list.push(entry);
    count++;
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      // A headless service may have no ports.
      for (const a of addresses) add(a.ip);
    } else {
      for (const p of ss.ports) for (const a of addresses) add(joinHostPort(a.ip, p.port));
    }
  }
  const text = list.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  cells(ep, now) {
    return [ep.metadata.name ?? '', formatEndpoints(ep.subsets as EndpointSubset[] | undefined), ageSince(ep.metadata.creationTimestamp, now)];
  },
};

/** Kubernetes' listWithMoreString: the first three, then "+ N more...", or <unset>. */
function firstThree(list: string[]): string {
  const shown = list.slice(0, 3).join(',');
  if (list.length > 3) return `${shown} + ${list.length - 3} more...`;
  return shown || '<unset>';
}

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'string', 'The type of addresses this slice holds.'),
    column('Ports', 'string', 'The ports of the endpoints.'),
    column('Endpoints', 'string', 'The addresses of the endpoints.'),
    AGE_COLUMN,
  ],
  cells(slice, now) {
    const ports = ((slice.ports ?? []) as { name?: string; port?: number }[]).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : p.name ?? '*'));
    const addresses = ((slice.endpoints ?? []) as { addresses?: string[] }[]).flatMap((e) => e.addresses ?? []);
    return [slice.metadata.name ?? '', String(slice.addressType ?? ''), firstThree(ports), firstThree(addresses), ageSince(slice.metadata.creationTimestamp, now)];
  },
};
