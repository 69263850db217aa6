// Validation of CertificateSigningRequest (pkg/apis/certificates/validation, v1): what a create
// must carry, and the status rules every write keeps (Approved and Denied exclude each other and
// stay once set; a certificate only on an approved request, and never changed). The request's
// PKCS#10 content is parsed by the API server (registry/certificate-signing-requests.ts): that
// needs X.509, which this package does not hold.
import type { CertificateSigningRequest } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { forbidden, invalid, notSupported, required } from './errors.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';

type Csr = Incoming<CertificateSigningRequest>;

/** Kubernetes' KeyUsage values (certificates.k8s.io/v1). */
export const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment', 'cert sign', 'crl sign',
  'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection', 's/mime', 'ipsec end system',
  'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc',
];
const CONDITION_TYPES = ['Approved', 'Denied', 'Failed'];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];
/** The shortest certificate a request may ask for (spec.expirationSeconds). */
export const MIN_CSR_EXPIRATION_SECONDS = 600;

/** Any name that is a valid path segment (ValidateCertificateRequestName). */
function csrName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  if (name.includes('/') || name.includes('%')) return [`may not contain '${name.includes('/') ? '/' : '%'}'`];
  return [];
}

/** A signer name is `domain/path`, the domain a DNS subdomain (ValidateSignerName, simplified to its rules' gist). */
function signerNameProblem(s: string): string | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return 'must be a fully qualified domain and path of the form \'example.com/signer-name\'';
  const domain = s.slice(0, slash);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(domain)) return 'the domain must be a fully qualified DNS subdomain';
  if (s.length - slash - 1 === 0) return 'validating path: must not be empty';
  return undefined;
}

export function validateCertificateSigningRequest(csr: Csr): FieldCause[] {
  const errs = validateObjectMeta(csr.metadata, false, csrName);
  const spec = csr.spec ?? {};
  if (!spec.request) errs.push(required('spec.request'));
  else if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(Buffer.from(String(spec.request), 'base64').toString('latin1'))) errs.push(invalid('spec.request', '[]byte{...}', 'PEM block type must be CERTIFICATE REQUEST'));
  if (!spec.signerName) errs.push(required('spec.signerName'));
  else {
    const why = signerNameProblem(spec.signerName);
    if (why) errs.push(invalid('spec.signerName', spec.signerName, why));
  }
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds !== null && spec.expirationSeconds < MIN_CSR_EXPIRATION_SECONDS) {
    errs.push(invalid('spec.expirationSeconds', spec.expirationSeconds, `may not specify a duration less than ${MIN_CSR_EXPIRATION_SECONDS} seconds`));
  }
  if (!spec.usages?.length) errs.push(required('spec.usages'));
  const seen = new Set<string>();
  (spec.usages ?? []).forEach((u, i) => {
    if (!KEY_USAGES.includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    else if (seen.has(u)) errs.push({ reason: 'FieldValueDuplicate', field: `spec.usages[${i}]`, message: `Duplicate value: "${u}"` });
    seen.add(u);
  });
  errs.push(...validateStatus(csr));
  return errs;
}

function validateStatus(csr: Csr): FieldCause[] {
  const errs: FieldCause[] = [];
  const conditions = csr.status?.conditions ?? [];
  const types = new Set<string>();
  conditions.forEach((c, i) => {
    const f = `status.conditions[${i}]`;
    if (!c.type) errs.push(required(`${f}.type`));
    else if (CONDITION_TYPES.includes(c.type) && types.has(c.type)) errs.push({ reason: 'FieldValueDuplicate', field: `${f}.type`, message: `Duplicate value: "${c.type}"` });
    if (c.type) types.add(c.type);
    if (!c.status) errs.push(required(`${f}.status`));
    else if (!CONDITION_STATUSES.includes(c.status)) errs.push(notSupported(`${f}.status`, c.status, CONDITION_STATUSES));
    else if ((c.type === 'Approved' || c.type === 'Denied') && c.status !== 'True') errs.push(notSupported(`${f}.status`, c.status, ['True']));
  });
  const approved = conditions.some((c) => c.type === 'Approved' && c.status === 'True');
  const denied = conditions.some((c) => c.type === 'Denied' && c.status === 'True');
  if (approved && denied) errs.push(invalid('status.conditions', '[...]', 'Approved and Denied conditions are mutually exclusive'));
  const cert = csr.status?.certificate;
  if (cert) {
    if (!approved || denied) errs.push(invalid('status.certificate', '<certificate data>', 'certificate may only be set on an approved, not denied request'));
    const pem = Buffer.from(cert, 'base64').toString('latin1');
    if (!/^\s*(-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*)+$/.test(pem)) {
      errs.push(invalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block and nothing else'));
    }
  }
  return errs;
}

export function validateCertificateSigningRequestUpdate(csr: Csr, old: Csr): FieldCause[] {
  const errs = validateObjectMetaUpdate(csr.metadata, old.metadata);
  errs.push(...validateStatus(csr));
  for (const t of ['Approved', 'Denied']) {
    const had = (old.status?.conditions ?? []).some((c) => c.type === t && c.status === 'True');
    const has = (csr.status?.conditions ?? []).some((c) => c.type === t && c.status === 'True');
    if (had && !has) errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
  const oldCert = old.status?.certificate;
  if (oldCert && csr.status?.certificate !== oldCert) errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  return errs;
}
