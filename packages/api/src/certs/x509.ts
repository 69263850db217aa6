// X.509 for the cluster's PKI, in ONE place (client-go keeps the like in util/cert and
// util/certificate/csr too): ECDSA P-256 keys from node:crypto (WebCrypto), certificates and
// PKCS#10 requests encoded by @peculiar/x509 (node:crypto reads X.509 but cannot write it; node-forge
// has no ECDSA). The API server's PKI (ADR 0014), the controller manager's CSR signer and the
// agent's certificate requests (ADR 0019) all use these.
import { KeyObject, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALG: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509, loaded on first use: a restarted server whose certificates are current never
 * needs it (start-up time). Its dependency injection (tsyringe) needs reflect-metadata first.
 */
function x509Lib(): Promise<typeof X509> {
  return (x509Module ??= (async () => {
    await import('reflect-metadata');
    const m = await import('@peculiar/x509');
    m.cryptoProvider.set(webcrypto as unknown as Parameters<typeof m.cryptoProvider.set>[0]);
    return m;
  })());
}

export interface CertificateAuthority {
  /** PEM */
  cert: string;
  key: KeyObject;
}

export interface KeyPair {
  /** PEM certificate */
  cert: string;
  /** PEM PKCS#8 key */
  key: string;
}

export interface IssueOptions {
  commonName: string;
  organizations?: string[];
  usage: 'client' | 'server';
  /** DNS names and IP addresses (server certificates). */
  sans?: string[];
  validDays?: number;
  /** Issue at this time (tests of expiry); default now. */
  now?: Date;
  /** Exact validity (the CSR signer's backdated window); overrides validDays and now. */
  notBefore?: Date;
  notAfter?: Date;
}

/** A new self-signed CA: certificate and key as PEM. */
export async function createCertificateAuthority(commonName: string, now = new Date()): Promise<KeyPair> {
  const x509 = await x509Lib();
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [`${commonName}@${Math.floor(now.getTime() / 1000)}`] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** A new key and a certificate for it signed by `ca`. */
export async function issueCertificate(ca: CertificateAuthority, opts: IssueOptions): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await signCertificate(ca, keys.publicKey, opts);
  return { cert, key: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** Signs a certificate for a public key (a new key's, or a CSR's) with the CA. */
export async function signCertificate(ca: CertificateAuthority, publicKey: webcrypto.CryptoKey | X509.PublicKey, opts: IssueOptions): Promise<string> {
  const x509 = await x509Lib();
  const now = opts.now ?? new Date();
  const caCert = new x509.X509Certificate(ca.cert);
  const subject: X509.JsonName = [{ CN: [opts.commonName] }];
  if (opts.organizations?.length) subject.push({ O: opts.organizations });
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([opts.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert),
  ];
  if (opts.sans?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(opts.sans.map((s) => (isIP(s) ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s }))));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    notBefore: opts.notBefore ?? new Date(now.getTime() - 60_000),
    notAfter: opts.notAfter ?? new Date(now.getTime() + (opts.validDays ?? LEAF_VALIDITY_DAYS) * DAY_MS),
    signingAlgorithm: ALG,
    publicKey,
    signingKey: ca.key.toCryptoKey(ALG, false, ['sign']),
    extensions,
  });
  return cert.toString('pem');
}

/** The SHA-256 of the CA certificate's DER, hex (`openssl x509 -fingerprint -sha256`): what a join string pins. */
export function caHash(caPem: string): string {
  return new NodeX509(caPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

export interface CertificateRequestSpec {
  commonName: string;
  organizations?: string[];
  /** DNS names and IP addresses (serving certificates). */
  sans?: string[];
}

/** A new key (PEM PKCS#8) and a PKCS#10 request (PEM) for it, as the kubelet makes them. */
export async function createCertificateRequest(spec: CertificateRequestSpec): Promise<{ csr: string; key: string }> {
  const x509 = await x509Lib();
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name: X509.JsonName = [{ CN: [spec.commonName] }];
  if (spec.organizations?.length) name.push({ O: spec.organizations });
  const extensions: X509.Extension[] = [];
  if (spec.sans?.length) extensions.push(new x509.SubjectAlternativeNameExtension(spec.sans.map((s) => (isIP(s) ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s }))));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ALG, extensions });
  return { csr: csr.toString('pem'), key: KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** What a PKCS#10 request asks for (Go's x509.CertificateRequest, the parts the signers read). */
export interface ParsedCertificateRequest {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** The request is signed by the key it carries (proof of possession). */
  signatureValid: boolean;
  /** The public key, for signCertificate. */
  publicKey: X509.PublicKey;
}

/** Parses a PEM "CERTIFICATE REQUEST"; throws with the reason when it is not one. */
export async function parseCertificateRequest(pem: string): Promise<ParsedCertificateRequest> {
  const x509 = await x509Lib();
  const block = /-----BEGIN CERTIFICATE REQUEST-----[\s\S]+?-----END CERTIFICATE REQUEST-----/.exec(pem);
  if (!block) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let req: X509.Pkcs10CertificateRequest;
  try {
    req = new x509.Pkcs10CertificateRequest(block[0]);
  } catch (e) {
    throw new Error(`not a PKCS#10 certificate request: ${(e as Error).message}`);
  }
  const names = { dns: [] as string[], ip: [] as string[], email: [] as string[], url: [] as string[] };
  for (const ext of req.extensions) {
    if (ext.type !== '2.5.29.17') continue;
    const san = new x509.SubjectAlternativeNameExtension(ext.rawData);
    for (const n of san.names.items) {
      if (n.type === 'dns' || n.type === 'ip' || n.type === 'email' || n.type === 'url') names[n.type].push(n.value);
      else names.url.push(`${n.type}:${n.value}`); // any other kind of name counts against the request
    }
  }
  return {
    commonName: req.subjectName.getField('CN')[0] ?? '',
    organizations: req.subjectName.getField('O'),
    dnsNames: names.dns,
    ipAddresses: names.ip,
    emailAddresses: names.email,
    uris: names.url,
    signatureValid: await req.verify().catch(() => false),
    publicKey: req.publicKey,
  };
}

/** Subject and validity of a PEM certificate (node:crypto reads X.509). */
export function certificateInfo(pem: string): { commonName: string; organizations: string[]; sans: string[]; notBefore: Date; notAfter: Date; serial: string } {
  const c = new NodeX509(pem);
  const field = (k: string) => c.subject.split('\n').filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));
  const sans = (c.subjectAltName ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^(DNS|IP Address):/, ''));
  return { commonName: field('CN')[0] ?? '', organizations: field('O'), sans, notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo), serial: c.serialNumber };
}

/** True when `certPem` was signed by `caPem` and is within its validity period at `now`. */
export function issuedBy(certPem: string, caPem: string, now = new Date()): boolean {
  try {
    const cert = new NodeX509(certPem);
    const ca = new NodeX509(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() < new Date(cert.validTo).getTime();
  } catch {
    return false;
  }
}

function serial(): string {
  // 16 random bytes, first bit clear: a positive serial of at most 20 octets (RFC 5280).
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return Buffer.from(b).toString('hex');
}

/** Writes a key (or anything secret): mode 0600, replaced atomically. */
export function writeSecretFile(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Writes a public file (a certificate): mode 0644, replaced atomically. */
export function writePublicFile(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o644 });
  renameSync(tmp, path);
}
