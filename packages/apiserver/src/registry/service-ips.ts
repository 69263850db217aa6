// ClusterIP and NodePort allocation for Services (see docs/adr/0002-networking.md). ClusterIPs come
// from a loopback range, so the host reaches them without routes; NodePorts from 30000-32767 as in
// Kubernetes. Pure: the caller passes the Services that exist.
import type { FieldCause, KubeObject } from '@skiff/api';

/** 127.96.0.0/16 without .0.0 and .255.255. */
export const CLUSTER_IP_RANGE = { base: (127 << 24) | (96 << 16), size: 1 << 16 } as const;
export const CLUSTER_IP_CIDR = '127.96.0.0/16';
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export function inClusterRange(ip: string): boolean {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return false;
  const n = ipToInt(ip);
  const off = n - (CLUSTER_IP_RANGE.base >>> 0);
  return off > 0 && off < CLUSTER_IP_RANGE.size - 1;
}

export interface Allocation {
  spec: Record<string, any>;
  causes: FieldCause[];
}

const needsClusterIP = (spec: Record<string, any>) => spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
const needsNodePorts = (spec: Record<string, any>) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';

/**
 * Fills in spec.clusterIP(s) and nodePorts of a Service being created, and checks requested ones.
 * `existing` are the other Services (any namespace). `hint` spreads allocations (e.g. a counter).
 */
export function allocateServiceAddresses(svc: KubeObject, existing: readonly KubeObject[], hint = 0): Allocation {
  const spec = { ...(svc.spec ?? {}) };
  const causes: FieldCause[] = [];
  const usedIPs = new Set<string>();
  const usedPorts = new Set<number>();
  for (const s of existing) {
    if (s.spec?.clusterIP) usedIPs.add(s.spec.clusterIP);
    for (const p of s.spec?.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
  }
  if (needsClusterIP(spec)) {
    if (spec.clusterIP) {
      if (!inClusterRange(spec.clusterIP)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: "${spec.clusterIP}": failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${CLUSTER_IP_CIDR}` });
      else if (usedIPs.has(spec.clusterIP)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: "${spec.clusterIP}": failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` });
    } else {
      const ip = firstFree(usedIPs, hint);
      if (!ip) causes.push({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `failed to allocate a serviceIP: range is full` });
      else spec.clusterIP = ip;
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  } else if (spec.clusterIP === 'None') {
    spec.clusterIPs = ['None'];
  }
  if (needsNodePorts(spec)) {
    const ports = (spec.ports ?? []).map((p: Record<string, any>) => ({ ...p }));
    ports.forEach((p: Record<string, any>, i: number) => {
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
  const spec = next.spec ?? (next.spec = {});
  const oldSpec = old.spec ?? {};
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
        const before = (oldSpec.ports ?? []).find((o: Record<string, any>) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (before?.nodePort) p.nodePort = before.nodePort;
      }
    }
  }
  return causes;
}

function firstFree(used: Set<string>, hint: number): string | undefined {
  const size = CLUSTER_IP_RANGE.size - 2;
  for (let k = 0; k < size; k++) {
    const ip = intToIp(((CLUSTER_IP_RANGE.base >>> 0) + 1 + ((hint + k) % size)) >>> 0);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
