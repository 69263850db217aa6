// ClusterIP and NodePort allocation for Services (see docs/adr/0002-networking.md). ClusterIPs come
// from the service CIDR (--service-cluster-ip-range, default 10.96.0.0/16, as kube-apiserver's);
// every node's kernel proxy answers them. NodePorts from 30000-32767 as in Kubernetes. Pure: the
// caller passes the Services that exist.
import { formatIPv4CIDR, intToIPv4, ipv4ToInt, parseIPv4CIDR, type FieldCause, type IPv4CIDR, type KubeObject, type ServicePort, type ServiceSpec } from '@skiff/api';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** Parses a --service-cluster-ip-range; throws with a reason a user can act on. */
export function parseServiceRange(cidr: string = DEFAULT_SERVICE_CIDR): IPv4CIDR {
  const range = parseIPv4CIDR(cidr);
  if (!range || range.prefix > 28 || range.prefix < 12) throw new Error(`invalid service CIDR "${cidr}": want an IPv4 CIDR from /12 to /28, such as ${DEFAULT_SERVICE_CIDR}`);
  return range;
}

const DEFAULT_RANGE = parseServiceRange();

/** The range's first address: the `kubernetes` Service's ClusterIP, as kube-apiserver reserves it (10.96.0.1). */
export function apiServiceIP(cidr: string = DEFAULT_SERVICE_CIDR): string {
  return intToIPv4(parseServiceRange(cidr).base + 1);
}

/** In the range, without its network and broadcast addresses. */
export function inClusterRange(ip: string, range: IPv4CIDR = DEFAULT_RANGE): boolean {
  const n = ipv4ToInt(ip);
  if (n === undefined) return false;
  const off = n - range.base;
  return off > 0 && off < range.size - 1;
}

export interface Allocation {
  spec: ServiceSpec;
  causes: FieldCause[];
}

const needsClusterIP = (spec: ServiceSpec) => spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
const needsNodePorts = (spec: ServiceSpec) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';

/**
 * Fills in spec.clusterIP(s) and nodePorts of a Service being created, and checks requested ones.
 * `existing` are the other Services (any namespace). `hint` spreads allocations (e.g. a counter).
 */
export function allocateServiceAddresses(svc: KubeObject, existing: readonly KubeObject[], hint = 0, range: IPv4CIDR = DEFAULT_RANGE): Allocation {
  const spec: ServiceSpec = { ...(svc.spec ?? {}) };
  const causes: FieldCause[] = [];
  const usedIPs = new Set<string>();
  const usedPorts = new Set<number>();
  for (const s of existing) {
    if (s.spec?.clusterIP) usedIPs.add(s.spec.clusterIP);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
  }
  if (needsClusterIP(spec)) {
    if (spec.clusterIP) {
      if (!inClusterRange(spec.clusterIP, range)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: "${spec.clusterIP}": failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${formatIPv4CIDR(range)}` });
      else if (usedIPs.has(spec.clusterIP)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: "${spec.clusterIP}": failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` });
    } else {
      const ip = firstFree(usedIPs, hint, range);
      if (!ip) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `failed to allocate a serviceIP: range is full` });
      else spec.clusterIP = ip;
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  } else if (spec.clusterIP === 'None') {
    spec.clusterIPs = ['None'];
  }
  if (needsNodePorts(spec)) {
    const ports = (spec.ports ?? []).map((p): ServicePort => ({ ...p }));
    ports.forEach((p, i) => {
      if (p.nodePort) {
        if (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max) causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}` });
        else if (usedPorts.has(p.nodePort)) causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: provided port is already allocated` });
        usedPorts.add(p.nodePort);
        return;
      }
      for (let k = 0; k <= NODE_PORT_RANGE.max - NODE_PORT_RANGE.min; k++) {
        const port = NODE_PORT_RANGE.min + ((hint + k) % (NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1));
        if (!usedPorts.has(port)) {
          p.nodePort = port;
          usedPorts.add(port);
          return;
        }
      }
      causes.push({ reason: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: 'failed to allocate a nodePort: range is full' });
    });
    spec.ports = ports;
  }
  return { spec, causes };
}

/** On update: the allocated addresses are immutable; absent ones are kept from the stored object. */
export function keepServiceAddresses(next: KubeObject, old: KubeObject): FieldCause[] {
  const spec: ServiceSpec = next.spec ?? (next.spec = {});
  const oldSpec: ServiceSpec = old.spec ?? {};
  if (!spec.clusterIP && oldSpec.clusterIP) {
    spec.clusterIP = oldSpec.clusterIP;
    spec.clusterIPs = oldSpec.clusterIPs;
  }
  const causes: FieldCause[] = [];
  if (oldSpec.clusterIP && spec.clusterIP !== oldSpec.clusterIP && spec.type === oldSpec.type) {
    causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: []string{"${spec.clusterIP}"}: may not change once set` });
  }
  // A port without nodePort keeps the one it had (matched by port number), as Kubernetes does.
  if (needsNodePorts(spec)) {
    for (const p of spec.ports ?? []) {
      if (!p.nodePort) {
        const before = (oldSpec.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (before?.nodePort) p.nodePort = before.nodePort;
      }
    }
  }
  return causes;
}

/**
 * Services whose ClusterIP lies outside `range` (made before the range changed, e.g. under skiff's
 * earlier loopback range 127.96.0.0/16), each with a new address from the range. A ClusterIP is
 * immutable through the API, so the API server rewrites these once at start-up.
 */
export function planClusterIPMigration(services: readonly KubeObject[], range: IPv4CIDR): { service: KubeObject; clusterIP: string }[] {
  const used = new Set<string>(services.map((s) => s.spec?.clusterIP).filter((ip): ip is string => !!ip && inClusterRange(ip, range)));
  const out: { service: KubeObject; clusterIP: string }[] = [];
  for (const s of services) {
    const ip: string | undefined = s.spec?.clusterIP;
    if (!ip || ip === 'None' || inClusterRange(ip, range)) continue;
    const next = firstFree(used, 0, range);
    if (!next) break;
    used.add(next);
    out.push({ service: s, clusterIP: next });
  }
  return out;
}

/** Picks from the range without its first address, which is the `kubernetes` Service's (asked for by name only). */
function firstFree(used: Set<string>, hint: number, range: IPv4CIDR): string | undefined {
  const size = range.size - 3;
  for (let k = 0; k < size; k++) {
    const ip = intToIPv4(range.base + 2 + ((hint + k) % size));
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
