// The certificate controllers of kube-controller-manager, on one CSR informer: csrapproving
// (./plan.ts planApproval, after asking the API server's authorizer what the requester may do:
// SubjectAccessReviews for certificatesigningrequests/selfnodeclient and /nodeclient) and, given the cluster CA's key (--cluster-signing-cert-file and
// --cluster-signing-key-file), csrsigning (planSigning). Keys are CSR names; every change to a
// request queues it, and a reconcile re-reads it from the cache (level-triggered).
import { CERTIFICATE_SIGNING_REQUESTS, formatTime, parseCertificateRequest, signCertificate, type CertificateAuthority, type CertificateSigningRequest } from '@skiff/api';
import { isConflict, isNotFound, subjectAccessAllowed, type Informer, type RestClient, type InformerFactory } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { approvalPermissions, DEFAULT_SIGNING_DURATION_SECONDS, permissionAttributes, planApproval, planSigning, type GrantedPermissions } from './plan.ts';

export interface CertificateControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  /** The CA that signs approved requests; without it, requests are approved but not signed. */
  signing?: CertificateAuthority;
  /** The longest certificate issued (--cluster-signing-duration); default a year. */
  signingDurationSeconds?: number;
  now?: () => Date;
  log?: (msg: string, err?: unknown) => void;
}

export class CertificateController extends QueueController {
  readonly name = 'csr-approving-signing';
  private readonly client: RestClient;
  private readonly csrs: Informer;
  private readonly opts: CertificateControllerOptions;

  constructor(opts: CertificateControllerOptions) {
    super(opts.log);
    this.opts = opts;
    this.client = opts.client;
    this.csrs = opts.factory.informerFor(CERTIFICATE_SIGNING_REQUESTS);
    this.csrs.addEventHandler({
      onAdd: (csr) => this.enqueueKey(csr.metadata.name!),
      onUpdate: (_old, csr) => this.enqueueKey(csr.metadata.name!),
    });
  }

  /** What the requester may do, as the API server's authorizer answers (csrapproving's authorize). */
  private async granted(csr: CertificateSigningRequest): Promise<GrantedPermissions> {
    const out = { selfnodeclient: false, nodeclient: false };
    const subject = { user: csr.spec.username ?? '', uid: csr.spec.uid, groups: csr.spec.groups, extra: csr.spec.extra };
    for (const p of approvalPermissions(csr)) out[p] = await subjectAccessAllowed(this.client, subject, permissionAttributes(p));
    return out;
  }

  protected async reconcile(name: string): Promise<void> {
    const csr = this.csrs.store.get(name) as CertificateSigningRequest | undefined;
    if (!csr) return;
    let req;
    try {
      req = await parseCertificateRequest(Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8'));
    } catch {
      return; // the API server refuses unparsable requests; nothing to act on
    }
    try {
      const approval = planApproval(csr, req, await this.granted(csr));
      if (approval) {
        const condition = 'approve' in approval
          ? { type: 'Approved', status: 'True', reason: 'AutoApproved', message: approval.approve }
          : { type: 'Denied', status: 'True', reason: approval.deny.reason, message: approval.deny.message };
        const now = formatTime();
        const next = { ...csr, status: { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), { ...condition, lastUpdateTime: now, lastTransitionTime: now }] } };
        await this.client.updateSubresource(CERTIFICATE_SIGNING_REQUESTS, undefined, name, 'approval', next);
        return; // the update's event queues the request again, for the signer
      }
      if (!this.opts.signing) return;
      const plan = planSigning(csr, req, this.opts.now?.() ?? new Date(), this.opts.signingDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS);
      if (!plan) return;
      const status = { ...(csr.status ?? {}) };
      if ('fail' in plan) {
        const now = formatTime();
        status.conditions = [...(status.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: plan.fail, lastUpdateTime: now, lastTransitionTime: now }];
      } else {
        const pem = await signCertificate(this.opts.signing, req.publicKey, plan.sign);
        status.certificate = Buffer.from(pem).toString('base64');
      }
      await this.client.updateStatus(CERTIFICATE_SIGNING_REQUESTS, { ...csr, status });
    } catch (err) {
      // Changed or gone meanwhile: its event queues it again.
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }
}
