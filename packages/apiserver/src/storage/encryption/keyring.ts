// Secrets at rest (issue 12 §4; ADR 0020): AES-256-GCM with keys kept in a 0600 file, as
// kube-apiserver's `aesgcm` provider of an EncryptionConfiguration. The stored value carries the
// name of the key that sealed it, in Kubernetes' own prefix form
// `k8s:enc:aesgcm:v1:KEYNAME:` followed by base64(nonce || ciphertext || tag), so a rotation can
// tell keys apart and reads accept every key the file still lists. The first key of the file
// seals; the others only open (Kubernetes: the first provider's first key encrypts).
//
// The storage key (`secrets/NAMESPACE/NAME`) is the additional authenticated data: a sealed value
// copied onto another Secret's row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeSecretFile } from '../../auth/pki.ts';
import { privateFileProblem } from '../../auth/private-file.ts';

export const ENCRYPTION_PREFIX = 'k8s:enc:aesgcm:v1:';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface EncryptionKey {
  name: string;
  /** 32 bytes. */
  secret: Buffer;
}

/** The key file's text: JSON `{"keys":[{"name":"key1","secret":"<base64 of 32 bytes>"}]}`, the sealing key first. */
export function parseKeyFile(text: string, source = 'encryption key file'): EncryptionKey[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not JSON`);
  }
  const keys = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${source}: "keys" must be a non-empty list`);
  const seen = new Set<string>();
  return keys.map((k: { name?: unknown; secret?: unknown }, i) => {
    if (typeof k?.name !== 'string' || !KEY_NAME.test(k.name)) throw new Error(`${source}: keys[${i}].name must be a lower-case DNS label`);
    if (seen.has(k.name)) throw new Error(`${source}: keys[${i}].name ${k.name} is listed twice`);
    seen.add(k.name);
    const secret = typeof k.secret === 'string' ? Buffer.from(k.secret, 'base64') : Buffer.alloc(0);
    // Never the value itself in a message.
    if (secret.length !== KEY_BYTES) throw new Error(`${source}: keys[${i}] (${k.name}).secret must be ${KEY_BYTES} bytes in base64`);
    return { name: k.name, secret };
  });
}

export function renderKeyFile(keys: EncryptionKey[]): string {
  return `${JSON.stringify({ keys: keys.map((k) => ({ name: k.name, secret: k.secret.toString('base64') })) }, null, 2)}\n`;
}

/** A fresh random key named after the highest `keyN` among `existing` (key1, key2, ...). */
export function newKey(existing: EncryptionKey[] = []): EncryptionKey {
  const n = Math.max(0, ...existing.map((k) => Number(/^key(\d+)$/.exec(k.name)?.[1] ?? 0)));
  return { name: `key${n + 1}`, secret: randomBytes(KEY_BYTES) };
}

/** Reads the key file, making it (one new key, mode 0600) on first start; warns when others may read it. */
export function loadOrCreateKeyFile(path: string, warn: (msg: string) => void = (m) => console.error(`skiff apiserver: warning: ${m}`)): EncryptionKey[] {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeKeyFile(path, [newKey()]);
  }
  const problem = privateFileProblem(path);
  if (problem) warn(problem);
  return parseKeyFile(readFileSync(path, 'utf8'), path);
}

/** Atomically (a temporary file renamed), mode 0600, owned by this process's user. */
export function writeKeyFile(path: string, keys: EncryptionKey[]): void {
  writeSecretFile(path, renderKeyFile(keys));
}

export class Keyring {
  readonly keys: readonly EncryptionKey[];
  readonly #byName: Map<string, Buffer>;

  constructor(keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    this.keys = keys;
    this.#byName = new Map(keys.map((k) => [k.name, k.secret]));
  }

  /** The key that seals. */
  get active(): string {
    return this.keys[0].name;
  }

  seal(plaintext: string, aad: string): string {
    const key = this.keys[0];
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.secret, nonce);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${ENCRYPTION_PREFIX}${key.name}:${body.toString('base64')}`;
  }

  open(sealed: string, aad: string): string {
    const name = sealedKeyName(sealed);
    if (name === undefined) throw new Error(`${aad}: stored value is not in the ${ENCRYPTION_PREFIX} form`);
    const secret = this.#byName.get(name);
    if (!secret) throw new Error(`${aad}: sealed with key "${name}", which the encryption key file does not list`);
    const body = Buffer.from(sealed.slice(ENCRYPTION_PREFIX.length + name.length + 1), 'base64');
    if (body.length < NONCE_BYTES + TAG_BYTES) throw new Error(`${aad}: sealed value is truncated`);
    const decipher = createDecipheriv('aes-256-gcm', secret, body.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`${aad}: sealed value does not open with key "${name}" (corrupt, or another object's)`);
    }
  }
}

/** The key name in a sealed value, or undefined when it is not one. */
export function sealedKeyName(value: string): string | undefined {
  if (!value.startsWith(ENCRYPTION_PREFIX)) return undefined;
  const end = value.indexOf(':', ENCRYPTION_PREFIX.length);
  return end < 0 ? undefined : value.slice(ENCRYPTION_PREFIX.length, end);
}
