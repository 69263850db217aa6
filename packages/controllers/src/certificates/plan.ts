// What the certificate controllers do with one CertificateSigningRequest, as pure functions:
// - planApproval: kube-controller-manager's csrapproving. A kubelet client certificate request is
//   approved when its requester may `create certificatesigningrequests/selfnodeclient` (the node
//   named in the CN renewing its own) or `/nodeclient` (a new node): the API server's authorizer
//   answers, through SubjectAccessReviews the controller asks (approvalPermissions names them), so
//   an admin grants or revokes auto-approval with RBAC, as in Kubernetes (bootstrap policy:
//   nodeclient bound to system:bootstrappers, selfnodeclient to system:nodes). skiff also
//   approves a node's own serving certificate (ADR 0019). Requests from anyone else stay Pending
//   for a human (`kubectl certificate approve`); a request from a bootstrap token or a node that a
//   node may not have is Denied with the reason, so the agent can say why.
// - planSigning: the csrsigning controller for the kubelet client, kubelet serving and
//   kube-apiserver-client signers: re-checks the content (a request that fails is Failed with
//   SignerValidationFailure), then the validity window.
import {
  apiserverClientProblem,
  APISERVER_CLIENT_SIGNER,
  csrCondition,
  KUBELET_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  kubeletClientProblem,
  kubeletServingProblem,
  nameIsDNSSubdomain,
  nodeNameOf,
  NODES_GROUP,
  type CertificateSigningRequest,
  type ParsedCertificateRequest,
  type ResourceAttributes,
} from '@skiff/api';

const BOOTSTRAPPERS = 'system:bootstrappers';

export type ApprovalPlan = { approve: string } | { deny: { reason: string; message: string } } | undefined;

/** The two permissions csrapproving asks about, as subresources of certificatesigningrequests. */
export type NodeClientPermission = 'selfnodeclient' | 'nodeclient';
export const NODE_CLIENT_PERMISSIONS: readonly NodeClientPermission[] = ['selfnodeclient', 'nodeclient'];
/** What the requester may do, as the authorizer answered. */
export type GrantedPermissions = Readonly<Record<NodeClientPermission, boolean>>;

function decided(csr: CertificateSigningRequest): boolean {
  return !!csr.status?.certificate || !!csrCondition(csr, 'Approved') || !!csrCondition(csr, 'Denied');
}

/** The SubjectAccessReview attributes of a permission (what kubeadm's bindings grant). */
export function permissionAttributes(p: NodeClientPermission): ResourceAttributes {
  return { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: p, verb: 'create' };
}

/** Which permissions to ask the authorizer about before planApproval: none for a decided request. */
export function approvalPermissions(csr: CertificateSigningRequest): readonly NodeClientPermission[] {
  return decided(csr) ? [] : NODE_CLIENT_PERMISSIONS;
}

/**
 * Approve, deny, or leave for a human. `req` is the parsed spec.request; `may`: the authorizer's
 * answers for the requester. Approval follows `may` alone. The denials with a reason (beyond
 * Kubernetes, which leaves such requests Pending) go only to joiners — a bootstrap token or a node,
 * by identity — so that a joining agent can say why; anyone else's request that auto-approval does
 * not cover waits for a human.
 */
export function planApproval(csr: CertificateSigningRequest, req: ParsedCertificateRequest, may: GrantedPermissions): ApprovalPlan {
  if (decided(csr)) return undefined;
  const user = csr.spec.username ?? '';
  const groups = csr.spec.groups ?? [];
  const usages = csr.spec.usages ?? [];
  const requestingNode = groups.includes(NODES_GROUP) ? nodeNameOf(user) : undefined;
  const joiner = groups.includes(BOOTSTRAPPERS) || requestingNode !== undefined;
  const deny = (message: string): ApprovalPlan => (joiner ? { deny: { reason: 'NotAllowed', message } } : undefined);
  if (!may.nodeclient && !may.selfnodeclient && !joiner) return undefined;
  if (!req.signatureValid) return deny('the request is not signed by the key it carries');
  if (csr.spec.signerName === KUBELET_CLIENT_SIGNER) {
    const problem = kubeletClientProblem(req, usages);
    if (problem) return deny(`not a node client certificate request: ${problem}`);
    const node = nodeNameOf(req.commonName)!;
    const badName = nameIsDNSSubdomain(node, false);
    if (badName.length) return deny(`"${node}" is not a valid node name: ${badName.join('; ')}`);
    // csrapproving's recognizers in its order: the requester renewing its own, then a new node.
    if (req.commonName === user && may.selfnodeclient) return { approve: 'Auto approving self kubelet client certificate after SubjectAccessReview.' };
    if (may.nodeclient) return { approve: 'Auto approving kubelet client certificate after SubjectAccessReview.' };
    if (req.commonName !== user && requestingNode) return deny(`a node may renew only its own client certificate: the request is for ${req.commonName}, the requester is ${user}`);
    return undefined; // not allowed (an admin revoked the binding): left for a human, as in Kubernetes
  }
  if (csr.spec.signerName === KUBELET_SERVING_SIGNER) {
    if (!requestingNode) return deny('only a node may ask for a node serving certificate, with its own client certificate');
    const problem = kubeletServingProblem(req, usages);
    if (problem) return deny(`not a node serving certificate request: ${problem}`);
    if (req.commonName !== user) return deny(`a node may ask only for its own serving certificate: the request is for ${req.commonName}, the requester is ${user}`);
    return { approve: 'Auto approving the serving certificate of the requesting node.' };
  }
  return deny(`bootstrap tokens and nodes may ask only for ${KUBELET_CLIENT_SIGNER} and ${KUBELET_SERVING_SIGNER} certificates, not ${csr.spec.signerName}`);
}

export const SIGNERS = [KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, APISERVER_CLIENT_SIGNER] as const;
/** kube-controller-manager's --cluster-signing-duration default: a year. */
export const DEFAULT_SIGNING_DURATION_SECONDS = 365 * 86_400;
const BACKDATE_MS = 5 * 60_000;
const SHORT_MS = 8 * 3_600_000;
const MIN_REQUESTED_MS = 10 * 60_000;

export type SigningPlan =
  | { sign: { commonName: string; organizations: string[]; usage: 'client' | 'server'; sans: string[]; notBefore: Date; notAfter: Date } }
  | { fail: string }
  | undefined;

/**
 * The certificate to issue for an approved request of a signer skiff runs, or why it fails.
 * Validity as kube-controller-manager's signer: the requested spec.expirationSeconds within
 * [10 min, maxSeconds], else maxSeconds; backdated 5 min (at most a tenth of the lifetime, so
 * that the short lifetimes of tests still leave the certificate most of its life); a long-lived
 * certificate's end is pulled in by the backdate, a short one's (< 8 h) is not.
 */
export function planSigning(csr: CertificateSigningRequest, req: ParsedCertificateRequest, now: Date, maxSeconds = DEFAULT_SIGNING_DURATION_SECONDS): SigningPlan {
  if (!csrCondition(csr, 'Approved') || csrCondition(csr, 'Denied') || csrCondition(csr, 'Failed') || csr.status?.certificate) return undefined;
  const signer = csr.spec.signerName;
  if (!(SIGNERS as readonly string[]).includes(signer)) return undefined;
  const usages = csr.spec.usages ?? [];
  if (!req.signatureValid) return { fail: 'the request is not signed by the key it carries' };
  const problem = signer === KUBELET_CLIENT_SIGNER ? kubeletClientProblem(req, usages) : signer === KUBELET_SERVING_SIGNER ? kubeletServingProblem(req, usages) : apiserverClientProblem(usages);
  if (problem) return { fail: problem };
  const maxMs = maxSeconds * 1000;
  const requested = csr.spec.expirationSeconds ? csr.spec.expirationSeconds * 1000 : undefined;
  const ttl = requested === undefined ? maxMs : Math.max(Math.min(requested, maxMs), Math.min(MIN_REQUESTED_MS, maxMs));
  const backdate = Math.min(BACKDATE_MS, ttl / 10);
  const notBefore = new Date(now.getTime() - backdate);
  const notAfter = new Date(now.getTime() + (ttl < SHORT_MS ? ttl : ttl - backdate));
  return {
    sign: {
      commonName: req.commonName,
      organizations: req.organizations,
      usage: signer === KUBELET_SERVING_SIGNER ? 'server' : 'client',
      sans: signer === KUBELET_SERVING_SIGNER ? [...req.dnsNames, ...req.ipAddresses] : [],
      notBefore,
      notAfter,
    },
  };
}
