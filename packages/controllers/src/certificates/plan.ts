// What the certificate controllers do with one CertificateSigningRequest, as pure functions:
// - planApproval: kube-controller-manager's csrapproving (nodeclient for bootstrap-token users,
//   selfnodeclient for a node renewing its own), plus skiff's approval of a node's own serving
//   certificate (ADR 0019). Requests from anyone else stay Pending for a human (`kubectl
//   certificate approve`); a request from a bootstrapper or a node that a node may not have is
//   Denied with the reason, so the agent can say why.
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
} from '@skiff/api';

const BOOTSTRAPPERS = 'system:bootstrappers';

export type ApprovalPlan = { approve: string } | { deny: { reason: string; message: string } } | undefined;

function decided(csr: CertificateSigningRequest): boolean {
  return !!csr.status?.certificate || !!csrCondition(csr, 'Approved') || !!csrCondition(csr, 'Denied');
}

/** Approve, deny, or leave for a human. `req` is the parsed spec.request. */
export function planApproval(csr: CertificateSigningRequest, req: ParsedCertificateRequest): ApprovalPlan {
  if (decided(csr)) return undefined;
  const user = csr.spec.username ?? '';
  const groups = csr.spec.groups ?? [];
  const usages = csr.spec.usages ?? [];
  const bootstrapper = groups.includes(BOOTSTRAPPERS);
  const requestingNode = groups.includes(NODES_GROUP) ? nodeNameOf(user) : undefined;
  const deny = (message: string) => ({ deny: { reason: 'NotAllowed', message } });
  if (!bootstrapper && !requestingNode) return undefined;
  if (!req.signatureValid) return deny('the request is not signed by the key it carries');
  if (csr.spec.signerName === KUBELET_CLIENT_SIGNER) {
    const problem = kubeletClientProblem(req, usages);
    if (problem) return deny(`not a node client certificate request: ${problem}`);
    const node = nodeNameOf(req.commonName)!;
    const badName = nameIsDNSSubdomain(node, false);
    if (badName.length) return deny(`"${node}" is not a valid node name: ${badName.join('; ')}`);
    if (requestingNode) {
      if (req.commonName !== user) return deny(`a node may renew only its own client certificate: the request is for ${req.commonName}, the requester is ${user}`);
      return { approve: 'Auto approving self kubelet client certificate (the requesting node renews its own).' };
    }
    return { approve: 'Auto approving kubelet client certificate for a bootstrap token (system:bootstrappers).' };
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
