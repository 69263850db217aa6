// The `kubernetes` Service in `default` and its endpoints, as kube-apiserver's bootstrap
// controller and its lease endpoint reconciler (--endpoint-reconciler-type=lease) publish them.
// Pure: ./kubernetes-service.ts reads and writes.
//
// Every API server keeps a Lease of its own in kube-system naming the address and port it
// advertises, renewed every reconcile; the Endpoints and EndpointSlice list the servers whose
// Lease has not expired. (Kubernetes keeps these leases as etcd keys with a TTL under
// /masterleases/; skiff's storage has no TTL, so they are Lease objects, and whichever server
// reconciles next deletes an expired one.)
import { isIP } from 'node:net';
import { formatMicroTime, parseTime, type KubeObject } from '@skiff/api';

export const KUBERNETES_SERVICE = 'kubernetes';
export const KUBERNETES_SERVICE_NAMESPACE = 'default';
/** The Service's port, named `https`, as Kubernetes publishes it. */
export const KUBERNETES_SERVICE_PORT = 443;
export const ENDPOINT_LEASE_NAMESPACE = 'kube-system';
/** Marks the Leases that carry an API server's advertised endpoint. */
export const ENDPOINT_LEASE_LABEL = 'skiff.dev/apiserver-endpoint';
const ADDRESS_ANNOTATION = 'skiff.dev/advertise-address';
const PORT_ANNOTATION = 'skiff.dev/advertise-port';
/** The reconciler writes the slice itself; the mirroring controller leaves these Endpoints alone. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY_APISERVER = 'skiff-apiserver';

export interface ApiEndpoint {
  address: string;
  port: number;
}

/** The Service kube-apiserver creates: ClusterIP the range's first address, 443/https to the secure port. */
export function kubernetesService(clusterIP: string, targetPort: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_SERVICE_NAMESPACE, labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP,
      ports: [{ name: 'https', port: KUBERNETES_SERVICE_PORT, protocol: 'TCP', targetPort }],
      sessionAffinity: 'None',
    },
  };
}

/** The Lease's name for an endpoint: `apiserver-endpoint-10-0-0-1-6443` (DNS-1123). */
export function endpointLeaseName(e: ApiEndpoint): string {
  return `apiserver-endpoint-${e.address.toLowerCase().replace(/[^0-9a-z]+/g, '-')}-${e.port}`;
}

export function endpointLease(e: ApiEndpoint, now: number, durationSeconds: number): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: endpointLeaseName(e),
      namespace: ENDPOINT_LEASE_NAMESPACE,
      labels: { [ENDPOINT_LEASE_LABEL]: 'true' },
      annotations: { [ADDRESS_ANNOTATION]: e.address, [PORT_ANNOTATION]: String(e.port) },
    },
    spec: { holderIdentity: `${e.address}:${e.port}`, leaseDurationSeconds: durationSeconds, renewTime: formatMicroTime(now) },
  };
}

/** The endpoints of the leases still alive at `now`, sorted, and the leases that have expired. */
export function liveEndpoints(leases: readonly KubeObject[], now: number): { live: ApiEndpoint[]; expired: KubeObject[] } {
  const live: ApiEndpoint[] = [];
  const expired: KubeObject[] = [];
  for (const l of leases) {
    if (l.metadata.labels?.[ENDPOINT_LEASE_LABEL] !== 'true') continue;
    const address = l.metadata.annotations?.[ADDRESS_ANNOTATION] ?? '';
    const port = Number(l.metadata.annotations?.[PORT_ANNOTATION]);
    const spec = (l.spec ?? {}) as { renewTime?: string; leaseDurationSeconds?: number };
    const until = parseTime(spec.renewTime) + (spec.leaseDurationSeconds ?? 0) * 1000;
    if (!isIP(address) || !Number.isInteger(port) || !(until > now)) expired.push(l);
    else live.push({ address, port });
  }
  live.sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port);
  return { live, expired };
}

/** The endpoints grouped by port (all servers of a cluster normally share one). */
function byPort(live: readonly ApiEndpoint[]): [number, string[]][] {
  const groups = new Map<number, string[]>();
  for (const e of live) groups.set(e.port, [...(groups.get(e.port) ?? []), e.address]);
  return [...groups].sort((a, b) => a[0] - b[0]);
}

const httpsPort = (port: number) => ({ name: 'https', port, protocol: 'TCP' });

/** The `kubernetes` Endpoints: one subset per port. */
export function kubernetesEndpoints(live: readonly ApiEndpoint[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_SERVICE_NAMESPACE, labels: { [SKIP_MIRROR_LABEL]: 'true' } },
    subsets: byPort(live).map(([port, addresses]) => ({ addresses: addresses.map((ip) => ({ ip })), ports: [httpsPort(port)] })),
  };
}

/**
 * The `kubernetes` EndpointSlices: `kubernetes` holds the servers of the lowest port (and is kept,
 * empty, when there are none), `kubernetes-<port>` the others, IPv4 and IPv6 apart.
 */
export function kubernetesEndpointSlices(live: readonly ApiEndpoint[]): KubeObject[] {
  const out: KubeObject[] = [];
  const groups = byPort(live);
  for (const family of ['IPv4', 'IPv6'] as const) {
    for (const [port, addresses] of groups) {
      const mine = addresses.filter((a) => (isIP(a) === 6 ? 'IPv6' : 'IPv4') === family);
      if (mine.length === 0) continue;
      out.push(slice(out.length === 0 ? KUBERNETES_SERVICE : `${KUBERNETES_SERVICE}-${family === 'IPv6' ? 'ipv6-' : ''}${port}`, family, port, mine));
    }
  }
  if (out.length === 0) out.push({ ...slice(KUBERNETES_SERVICE, 'IPv4', 0, []), ports: [] });
  return out;
}

function slice(name: string, addressType: 'IPv4' | 'IPv6', port: number, addresses: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: KUBERNETES_SERVICE_NAMESPACE, labels: { [SERVICE_NAME_LABEL]: KUBERNETES_SERVICE, [MANAGED_BY_LABEL]: MANAGED_BY_APISERVER } },
    addressType,
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true, serving: true, terminating: false } })),
    ports: [httpsPort(port)],
  };
}
