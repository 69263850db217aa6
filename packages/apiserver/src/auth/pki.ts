// The cluster's certificates: a CA (ECDSA P-256) made on the server's first start, the serving
// certificate, and client certificates it signs (admin, components, nodes). Keys are made by
// node:crypto (WebCrypto); certificates are encoded by @peculiar/x509, because node:crypto can
// read X.509 but not write it. Files live in DATA_DIR/pki, keys with mode 0600 (ADR 0014).
import { createPrivateKey, KeyObject, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';

const ALG: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
export const CA_VALIDITY_DAYS = 3650;
export const LEAF_VALIDITY_DAYS = 365;
/** A leaf certificate this close to expiry (or lacking a wanted SAN) is issued anew on start. */
const RENEW_BEFORE_DAYS = 30;

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
}

export interface ClusterPki {
  dir: string;
  ca: CertificateAuthority;
  serving: KeyPair;
  admin: KeyPair;
  /** The ServiceAccount token signing key (PEM PKCS#8), as kube-apiserver's --service-account-key-file. */
  serviceAccountKey: string;
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'server.crt',
  servingKey: 'server.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  serviceAccountKey: 'sa.key',
} as const;

/**
 * A client certificate kept in the PKI directory as NAME.crt / NAME.key, issued (anew when not
 * current) for `opts` (the components of `skiff server`: scheduler, controller manager).
 */
export async function ensureClientCertificate(pki: ClusterPki, name: string, opts: Omit<IssueOptions, 'usage'>): Promise<KeyPair> {
  return ensureLeaf(pki.ca, join(pki.dir, `${name}.crt`), join(pki.dir, `${name}.key`), { ...opts, usage: 'client' }, []);
}

/**
 * Loads the cluster's PKI from `dir`, making what is missing: the CA on first start, a serving
 * certificate that covers `sans` (issued anew when a wanted name is missing or expiry is near),
 * the admin client certificate (O=system:masters) and the ServiceAccount signing key.
 */
export async function ensureClusterPki(dir: string, sans: string[]): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = (f: string) => join(dir, f);
  let ca: CertificateAuthority;
  if (existsSync(path(PKI_FILES.caCert)) && existsSync(path(PKI_FILES.caKey))) {
    ca = { cert: readFileSync(path(PKI_FILES.caCert), 'utf8'), key: createPrivateKey(readFileSync(path(PKI_FILES.caKey))) };
  } else {
    const made = await createCertificateAuthority('skiff-ca');
    writeSecretFile(path(PKI_FILES.caKey), made.key);
    writePublicFile(path(PKI_FILES.caCert), made.cert);
    ca = { cert: made.cert, key: createPrivateKey(made.key) };
  }
  const serving = await ensureLeaf(ca, path(PKI_FILES.servingCert), path(PKI_FILES.servingKey), { commonName: 'skiff-apiserver', usage: 'server', sans }, sans);
  const admin = await ensureLeaf(ca, path(PKI_FILES.adminCert), path(PKI_FILES.adminKey), { commonName: 'skiff-admin', organizations: ['system:masters'], usage: 'client' }, []);
  if (!existsSync(path(PKI_FILES.serviceAccountKey))) writeSecretFile(path(PKI_FILES.serviceAccountKey), await newKeyPem());
  return { dir, ca, serving, admin, serviceAccountKey: readFileSync(path(PKI_FILES.serviceAccountKey), 'utf8') };
}

/** Reads the CA (certificate and key) that ensureClusterPki made in `dir`. */
export function loadCertificateAuthority(dir: string): CertificateAuthority {
  return { cert: readFileSync(join(dir, PKI_FILES.caCert), 'utf8'), key: createPrivateKey(readFileSync(join(dir, PKI_FILES.caKey))) };
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

/** Signs a certificate for a public key (a CSR's, later) with the CA. */
export async function signCertificate(ca: CertificateAuthority, publicKey: CryptoKey, opts: IssueOptions): Promise<string> {
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
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (opts.validDays ?? LEAF_VALIDITY_DAYS) * DAY_MS),
    signingAlgorithm: ALG,
    publicKey,
    signingKey: ca.key.toCryptoKey(ALG, false, ['sign']),
    extensions,
  });
  return cert.toString('pem');
}

/** The SHA-256 of the CA certificate's DER, hex: what a join string pins (k3s' K10<hash>). */
export function caHash(caPem: string): string {
  return new NodeX509(caPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

async function ensureLeaf(ca: CertificateAuthority, certFile: string, keyFile: string, opts: IssueOptions, wantedSans: string[]): Promise<KeyPair> {
  if (existsSync(certFile) && existsSync(keyFile)) {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    if (leafIsCurrent(pair.cert, ca.cert, wantedSans)) return pair;
  }
  const pair = await issueCertificate(ca, opts);
  writeSecretFile(keyFile, pair.key);
  writePublicFile(certFile, pair.cert);
  return pair;
}

/** Signed by this CA, not near expiry, and naming every wanted SAN. */
function leafIsCurrent(certPem: string, caPem: string, wantedSans: string[]): boolean {
  const cert = new NodeX509(certPem);
  const caCert = new NodeX509(caPem);
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return false;
  if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  const have = new Set((cert.subjectAltName ?? '').split(', ').map((s) => s.replace(/^(DNS|IP Address):/, '')));
  return wantedSans.every((s) => have.has(s));
}

async function newKeyPem(): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  return KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
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

function writePublicFile(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o644 });
  renameSync(tmp, path);
}
