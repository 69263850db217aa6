// CertificateSigningRequests (printers.go printCertificateSigningRequest), with the columns of Kubernetes 1.32.
import { ageSince, humanDuration } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

/** Pending, Approved or Denied, then ",Failed" and ",Issued" as they apply (kubectl's CONDITION). */
export function csrConditionText(status: { conditions?: { type: string; status?: string }[]; certificate?: string } | undefined): string {
  const has = (t: string) => (status?.conditions ?? []).some((c) => c.type === t && (c.status ?? 'True') === 'True');
  let s = has('Denied') ? 'Denied' : has('Approved') ? 'Approved' : 'Pending';
  if (has('Failed')) s += ',Failed';
  if (status?.certificate) s += ',Issued';
  return s;
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column('SignerName', 'string', 'Name of the signer that the request is for.'),
    column('Requestor', 'string', 'Name of the user that created the request.'),
    column('RequestedDuration', 'string', 'The requested duration of the issued certificate.'),
    column('Condition', 'string', 'Current state of the request.'),
  ],
  cells: (csr, now) => [
    csr.metadata.name ?? '',
    ageSince(csr.metadata.creationTimestamp, now),
    String(csr.spec?.signerName ?? ''),
    String(csr.spec?.username ?? ''),
    typeof csr.spec?.expirationSeconds === 'number' ? humanDuration(csr.spec.expirationSeconds * 1000) : '<none>',
    csrConditionText(csr.status),
  ],
};
