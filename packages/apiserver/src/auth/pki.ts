// The cluster's certificates: a CA (ECDSA P-256) made on the server's first start, the serving
// certificate, and client certificates it signs (admin, components, the API server's client of
// the agents). The X.509 primitives live in @skiff/api (certs/x509.ts), shared with the CSR
// signer and the agents. Files live in DATA_DIR/pki, keys with mode 0600 (ADR 0014).
import { createPrivateKey, KeyObject, webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APISERVER_KUBELET_CLIENT_USER, createCertificateAuthority, issueCertificate, writePublicFile, writeSecretFile, type CertificateAuthority, type IssueOptions, type KeyPair } from '@skiff/api';
export { caHash, createCertificateAuthority, issueCertificate, signCertificate, writeSecretFile, type CertificateAuthority, type IssueOptions, type KeyPair } from '@skiff/api';

const DAY_MS = 86_400_000;
/** A leaf certificate this close to expiry (or lacking a wanted SAN) is issued anew on start. */
const RENEW_BEFORE_DAYS = 30;

export interface ClusterPki {
  dir: string;
  ca: CertificateAuthority;
  serving: KeyPair;
  admin: KeyPair;
  /** The API server's client certificate for the agents' endpoints (kubeadm's apiserver-kubelet-client, ADR 0019). */
  kubeletClient: KeyPair;
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
  kubeletClientCert: 'apiserver-kubelet-client.crt',
  kubeletClientKey: 'apiserver-kubelet-client.key',
} as const;

/** Who the API server is to the agents (kubeadm's name for it; no group: it is nobody to the API server itself). */
export const KUBELET_CLIENT_USER = APISERVER_KUBELET_CLIENT_USER;

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
  const kubeletClient = await ensureLeaf(ca, path(PKI_FILES.kubeletClientCert), path(PKI_FILES.kubeletClientKey), { commonName: KUBELET_CLIENT_USER, usage: 'client' }, []);
  if (!existsSync(path(PKI_FILES.serviceAccountKey))) writeSecretFile(path(PKI_FILES.serviceAccountKey), await newKeyPem());
  return { dir, ca, serving, admin, kubeletClient, serviceAccountKey: readFileSync(path(PKI_FILES.serviceAccountKey), 'utf8') };
}

/** Reads the CA (certificate and key) that ensureClusterPki made in `dir`. */
export function loadCertificateAuthority(dir: string): CertificateAuthority {
  return { cert: readFileSync(join(dir, PKI_FILES.caCert), 'utf8'), key: createPrivateKey(readFileSync(join(dir, PKI_FILES.caKey))) };
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
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
}
