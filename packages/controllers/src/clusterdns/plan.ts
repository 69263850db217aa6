// The cluster DNS as a Service, as Kubernetes clusters have `kube-dns` in kube-system (kubeadm's
// and k3s' CoreDNS Service), labelled `kubernetes.io/cluster-service=true` so that `kubectl
// cluster-info` lists it. skiff's DNS server is not a Deployment behind a ClusterIP: each agent
// answers on its pod network's gateway (ADR 0002), and pods use their own node's. So the Service
// is headless and has no selector, and its Endpoints are every node's DNS address — the first
// address of its spec.podCIDR — on port 53 over UDP and TCP, so `kube-dns.kube-system.svc` names
// them. Pure: the wanted Service and Endpoints, and what to write.
import { cidrAddress, parseIPv4CIDR, type KubeObject } from '@skiff/api';

export const CLUSTER_DNS_NAMESPACE = 'kube-system';
export const CLUSTER_DNS_SERVICE = 'kube-dns';
export const CLUSTER_DNS_LABELS: Readonly<Record<string, string>> = {
  'k8s-app': 'kube-dns',
  'kubernetes.io/cluster-service': 'true',
  'kubernetes.io/name': 'KubeDNS',
};
const PORTS = [
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'dns-tcp', port: 53, protocol: 'TCP' },
];

export function clusterDNSService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: CLUSTER_DNS_SERVICE, namespace: CLUSTER_DNS_NAMESPACE, labels: { ...CLUSTER_DNS_LABELS } },
    spec: { clusterIP: 'None', ports: PORTS.map((p) => ({ ...p, targetPort: p.port })) },
  } as KubeObject;
}

/** The DNS address of a node: its pod network's gateway, or none before node IPAM gave it a block. */
export function nodeDNSAddress(node: KubeObject): string | undefined {
  const block = parseIPv4CIDR((node.spec?.podCIDR as string | undefined) ?? '');
  return block ? cidrAddress(block, 1) : undefined;
}

export function clusterDNSSubsets(nodes: readonly KubeObject[]): unknown[] {
  const addresses = nodes
    .map((n) => ({ ip: nodeDNSAddress(n), nodeName: n.metadata.name! }))
    .filter((a): a is { ip: string; nodeName: string } => !!a.ip)
    .sort((a, b) => a.nodeName.localeCompare(b.nodeName));
  return addresses.length ? [{ addresses, ports: PORTS.map((p) => ({ ...p })) }] : [];
}

export type ClusterDNSPlan = { createService?: KubeObject; endpoints?: { create: KubeObject } | { update: KubeObject } };

/**
 * What to write: the Service when it is missing (one that exists is left as its owner edits it),
 * and the Endpoints when missing or their subsets differ. Endpoints are written only for a Service
 * without a selector (one given a selector is the endpoints controller's).
 */
export function planClusterDNS(nodes: readonly KubeObject[], service: KubeObject | undefined, endpoints: KubeObject | undefined): ClusterDNSPlan {
  const out: ClusterDNSPlan = {};
  if (!service) out.createService = clusterDNSService();
  else if (service.spec?.selector && Object.keys(service.spec.selector).length) return out;
  const subsets = clusterDNSSubsets(nodes);
  if (!endpoints) {
    out.endpoints = { create: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: CLUSTER_DNS_SERVICE, namespace: CLUSTER_DNS_NAMESPACE, labels: { ...CLUSTER_DNS_LABELS } }, subsets } as KubeObject };
  } else if (JSON.stringify(endpoints.subsets ?? []) !== JSON.stringify(subsets)) {
    out.endpoints = { update: { ...endpoints, subsets } };
  }
  return out;
}
