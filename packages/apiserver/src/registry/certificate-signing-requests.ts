// CertificateSigningRequest (certificates.k8s.io/v1), as kube-apiserver's registry serves it
// (pkg/registry/certificates/certificates/strategy.go):
// - create: spec.username/uid/groups/extra are the requester's, whatever the body says; status
//   starts empty; spec.request must be a PKCS#10 request signed by the key it carries;
// - the main resource's updates change metadata only (spec and status are kept);
// - /status changes status except the Approved and Denied conditions (the signer's write);
// - /approval changes only the Approved and Denied conditions (`kubectl certificate approve|deny`).
// And skiff's node password admission (ADR 0019): a bootstrap-token user asking for a node client
// certificate must send the node's password, checked against the one recorded for that name.
import { formatTime, kubeletClientProblem, KUBELET_CLIENT_SIGNER, nodeNameOf, parseCertificateRequest, type CertificateSigningRequest, type CertificateSigningRequestCondition, type FieldCause, type KubeObject } from '@skiff/api';
import { validateUpdate } from '@skiff/api';
import { ApiError } from '../errors/status.ts';
import { SYSTEM_BOOTSTRAPPERS } from '../auth/user.ts';
import type { Requester, Strategy } from './strategy.ts';
import { admitNodePassword, NODE_PASSWORD_HEADER } from './node-passwords.ts';

const CSR_KIND = { group: 'certificates.k8s.io', kind: 'CertificateSigningRequest', scope: 'Cluster' as const };
const APPROVAL = new Set(['Approved', 'Denied']);

type Csr = CertificateSigningRequest;
const asCsr = (o: KubeObject) => o as unknown as Csr;

/** Conditions of `from` whose type passes `keep`, each with its times filled in. */
function conditions(from: Csr | undefined, keep: (type: string) => boolean, old?: Csr): CertificateSigningRequestCondition[] {
  const now = formatTime();
  return (from?.status?.conditions ?? []).filter((c) => keep(c.type)).map((c) => {
    const before = old?.status?.conditions?.find((o) => o.type === c.type);
    const changed = !before || before.status !== c.status;
    return { ...c, lastUpdateTime: c.lastUpdateTime ?? now, lastTransitionTime: c.lastTransitionTime ?? (changed ? now : (before?.lastTransitionTime ?? now)) };
  });
}

function withStatus(old: KubeObject, status: Csr['status']): KubeObject {
  const next = { ...old, metadata: { ...old.metadata } } as KubeObject;
  if (status && (status.certificate || status.conditions?.length)) next.status = status;
  else next.status = {};
  return next;
}

const validate = (next: KubeObject, old: KubeObject): FieldCause[] => validateUpdate(CSR_KIND, next, old);

function forbiddenCsr(name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `certificatesigningrequests.certificates.k8s.io "${name}" is forbidden: ${why}`, { name, group: 'certificates.k8s.io', kind: 'certificatesigningrequests' });
}

export function certificateSigningRequestStrategy(base: Strategy): Strategy {
  return {
    ...base,
    statusSubresource: true,
    initialStatus: () => ({}),
    // The requester, as the authenticator saw it: never what the body claims.
    admit: (obj: KubeObject, requester?: Requester) => {
      const csr = asCsr(obj);
      csr.spec ??= {} as Csr['spec'];
      delete csr.spec.username;
      delete csr.spec.uid;
      delete csr.spec.groups;
      delete csr.spec.extra;
      if (!requester) return;
      const u = requester.user;
      csr.spec.username = u.username;
      if (u.uid) csr.spec.uid = u.uid;
      csr.spec.groups = [...u.groups];
      if (u.extra && Object.keys(u.extra).length) csr.spec.extra = u.extra;
    },
    // The request's content needs X.509 (async): checked after the synchronous validation.
    assignOnCreate: async (obj: KubeObject, storage, dryRun, requester?: Requester) => {
      const csr = asCsr(obj);
      let parsed;
      try {
        parsed = await parseCertificateRequest(csr.spec.request ? Buffer.from(csr.spec.request, 'base64').toString('utf8') : '');
      } catch (e) {
        return [{ reason: 'FieldValueInvalid', field: 'spec.request', message: `Invalid value: []byte{...}: ${(e as Error).message}` }];
      }
      if (!parsed.signatureValid) return [{ reason: 'FieldValueInvalid', field: 'spec.request', message: 'Invalid value: []byte{...}: the request is not signed by the key it carries' }];
      // A bootstrap-token user asking for a node's client certificate: only the name's own host may.
      const bootstrapper = requester?.user.groups.includes(SYSTEM_BOOTSTRAPPERS);
      if (bootstrapper && csr.spec.signerName === KUBELET_CLIENT_SIGNER && !kubeletClientProblem(parsed, csr.spec.usages ?? [])) {
        const node = nodeNameOf(parsed.commonName)!;
        const password = requester!.header(NODE_PASSWORD_HEADER);
        const name = csr.metadata.name ?? '';
        if (!password) throw forbiddenCsr(name, `a joining node must send its node password (the ${NODE_PASSWORD_HEADER} header)`);
        const verdict = await admitNodePassword(storage, node, password, dryRun);
        if (!verdict.ok) throw forbiddenCsr(name, verdict.reason);
      }
      return [];
    },
    // Spec is immutable after create; status has subresources of its own.
    keepOnMainUpdate: (desired, old) => {
      (desired as KubeObject).spec = old.spec;
    },
    subresourceUpdates: {
      // The signer's write: everything in status but the approval, which stays as it was.
      status: {
        prepare: (desired, old) => {
          const d = asCsr(desired);
          const o = asCsr(old);
          const kept = [...conditions(o, (t) => APPROVAL.has(t)), ...conditions(d, (t) => !APPROVAL.has(t), o)];
          return withStatus(old, { ...(d.status ?? {}), conditions: kept });
        },
        validate,
      },
      // The approver's write: the Approved and Denied conditions only.
      approval: {
        prepare: (desired, old) => {
          const d = asCsr(desired);
          const o = asCsr(old);
          const kept = [...conditions(o, (t) => !APPROVAL.has(t)), ...conditions(d, (t) => APPROVAL.has(t), o)];
          return withStatus(old, { ...(o.status ?? {}), conditions: kept });
        },
        validate,
      },
    },
  };
}
