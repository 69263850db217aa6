// What the well-known Kubernetes signers accept (pkg/apis/certificates/helpers.go and the
// csrsigning controller), as pure checks on a parsed request and its spec.usages. The API server
// (node password admission), the controller manager's approver and signer, and the agent all
// read these, so a request the agent makes is exactly what the approver approves.
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../model/types.generated.ts';
import type { ParsedCertificateRequest } from './x509.ts';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
export const APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
/** Who the API server is to the agents' endpoints (kubeadm's apiserver-kubelet-client CN; no group). */
export const APISERVER_KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

/** The usages a kubelet asks for: with key encipherment (RSA keys) or without it (ECDSA, as skiff's agents). */
export const KUBELET_CLIENT_USAGES = ['digital signature', 'client auth'];
export const KUBELET_SERVING_USAGES = ['digital signature', 'server auth'];

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return s.size === new Set(b).size && b.every((x) => s.has(x));
}

function usagesMatch(usages: readonly string[], without: readonly string[]): boolean {
  return sameSet(usages, without) || sameSet(usages, [...without, 'key encipherment']);
}

/** Why a request is not a node client certificate (ValidateKubeletClientCSR), or undefined when it is one. */
export function kubeletClientProblem(req: ParsedCertificateRequest, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (req.dnsNames.length) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length) return 'IP subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith(NODE_USER_PREFIX) || req.commonName.length === NODE_USER_PREFIX.length) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  if (!usagesMatch(usages, KUBELET_CLIENT_USAGES)) return `usages did not match [${[...KUBELET_CLIENT_USAGES, 'key encipherment'].sort().join(' ')}]`;
  return undefined;
}

/** Why a request is not a node serving certificate (ValidateKubeletServingCSR), or undefined. */
export function kubeletServingProblem(req: ParsedCertificateRequest, usages: readonly string[]): string | undefined {
  if (req.organizations.length !== 1 || req.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (!req.dnsNames.length && !req.ipAddresses.length) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length) return 'Email subjectAltNames are not allowed';
  if (req.uris.length) return 'URI subjectAltNames are not allowed';
  if (!usagesMatch(usages, KUBELET_SERVING_USAGES)) return `usages did not match [${[...KUBELET_SERVING_USAGES, 'key encipherment'].sort().join(' ')}]`;
  if (!req.commonName.startsWith(NODE_USER_PREFIX) || req.commonName.length === NODE_USER_PREFIX.length) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  return undefined;
}

/** Why usages do not make a client certificate for kubernetes.io/kube-apiserver-client, or undefined. */
export function apiserverClientProblem(usages: readonly string[]): string | undefined {
  for (const u of usages) if (u !== 'digital signature' && u !== 'key encipherment' && u !== 'client auth') return `invalid usage for client certificate: ${u}`;
  return usages.includes('client auth') ? undefined : 'missing required usage for client certificate: client auth';
}

/** The node name in `system:node:NAME`, or undefined. */
export function nodeNameOf(user: string): string | undefined {
  return user.startsWith(NODE_USER_PREFIX) && user.length > NODE_USER_PREFIX.length ? user.slice(NODE_USER_PREFIX.length) : undefined;
}

/** The True condition of a type, if any. */
export function csrCondition(csr: Pick<CertificateSigningRequest, 'status'> | { status?: CertificateSigningRequest['status'] }, type: 'Approved' | 'Denied' | 'Failed'): CertificateSigningRequestCondition | undefined {
  return (csr.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
}
