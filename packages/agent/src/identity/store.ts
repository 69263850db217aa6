// The node's identity on disk (ADR 0019), in its identity directory (DIR, 0700):
//   ca.crt                       the cluster CA, as checked against the join string
//   client.crt, client.key       the node's client certificate (system:node:NAME) and key
//   serving.crt, serving.key     the endpoint's serving certificate and key
//   node-password                the random secret that keeps the node's name this host's
// Every file is 0600 and replaced atomically. The join token is never written.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateInfo, issuedBy, writeSecretFile, type KeyPair } from '@skiff/api';

export interface NodeIdentity {
  /** PEM */
  ca: string;
  cert: string;
  key: string;
}

export const IDENTITY_FILES = {
  ca: 'ca.crt',
  clientCert: 'client.crt',
  clientKey: 'client.key',
  servingCert: 'serving.crt',
  servingKey: 'serving.key',
  nodePassword: 'node-password',
} as const;

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function read(dir: string, file: string): string | undefined {
  const p = join(dir, file);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** The node password: made on the first join (32 random bytes), then always the same. */
export function readOrCreateNodePassword(dir: string): string {
  ensureDir(dir);
  const kept = read(dir, IDENTITY_FILES.nodePassword)?.trim();
  if (kept) return kept;
  const made = randomBytes(32).toString('base64url');
  writeSecretFile(join(dir, IDENTITY_FILES.nodePassword), `${made}\n`);
  return made;
}

export function saveClientIdentity(dir: string, id: NodeIdentity): void {
  ensureDir(dir);
  writeSecretFile(join(dir, IDENTITY_FILES.ca), id.ca);
  writeSecretFile(join(dir, IDENTITY_FILES.clientKey), id.key);
  writeSecretFile(join(dir, IDENTITY_FILES.clientCert), id.cert);
}

export function saveServingCertificate(dir: string, pair: KeyPair): void {
  ensureDir(dir);
  writeSecretFile(join(dir, IDENTITY_FILES.servingKey), pair.key);
  writeSecretFile(join(dir, IDENTITY_FILES.servingCert), pair.cert);
}

/** The kept client identity of `nodeName`, if it is there, current and signed by the kept CA. */
export function loadClientIdentity(dir: string, nodeName: string, now = new Date()): NodeIdentity | undefined {
  const ca = read(dir, IDENTITY_FILES.ca);
  const cert = read(dir, IDENTITY_FILES.clientCert);
  const key = read(dir, IDENTITY_FILES.clientKey);
  if (!ca || !cert || !key) return undefined;
  if (!issuedBy(cert, ca, now) || certificateInfo(cert).commonName !== `system:node:${nodeName}`) return undefined;
  return { ca, cert, key };
}

/** The kept serving certificate, if current, signed by `ca` and naming every one of `names`. */
export function loadServingCertificate(dir: string, ca: string, names: string[], now = new Date()): KeyPair | undefined {
  const cert = read(dir, IDENTITY_FILES.servingCert);
  const key = read(dir, IDENTITY_FILES.servingKey);
  if (!cert || !key || !issuedBy(cert, ca, now)) return undefined;
  const sans = certificateInfo(cert).sans;
  return names.every((n) => sans.includes(n)) ? { cert, key } : undefined;
}
