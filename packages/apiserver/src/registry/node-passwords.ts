// Node passwords, as k3s keeps them (ADR 0019): a joining agent makes a random secret on its first
// join and keeps it; the server keeps a salted scrypt hash of it per node name, in the Secret
// `NAME.node-password.skiff` in kube-system. A later join for the same name must present the same
// secret, so a second host cannot take over a registered node's name with a join token alone.
// The controller manager ties the Secret to its Node and deletes it with the Node
// (controllers/src/nodepassword), so a deleted Node's name is free for a new host.
// The secret travels only in a request header over TLS, and is never stored or logged in clear.
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { formatTime, NODE_PASSWORD_LABEL, NODE_PASSWORD_NAMESPACE, NODE_PASSWORD_SECRET_TYPE, nodePasswordSecretName, type KubeObject, type Secret } from '@skiff/api';
import { StorageError, type Storage } from '../storage/types.ts';

export { NODE_PASSWORD_HEADER } from '@skiff/api';

const SCRYPT = { N: 16384, r: 8, p: 1 };

/** `scrypt$<salt>$<hash>` (base64), a fresh salt each time. */
export function hashNodePassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function nodePasswordMatches(stored: string, password: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = scryptSync(password, Buffer.from(salt, 'base64'), want.length, SCRYPT);
  return want.length === got.length && timingSafeEqual(want, got);
}

export type NodePasswordVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks (and on a name's first join, records) `password` for `node`. Refuses a password that
 * does not match the recorded one, and a name a Node already holds without any recorded password
 * (registered another way, e.g. with a certificate `skiff up` issued): only its own host may use it.
 */
export async function admitNodePassword(storage: Storage, node: string, password: string, dryRun: boolean): Promise<NodePasswordVerdict> {
  const key = { resource: 'secrets', namespace: NODE_PASSWORD_NAMESPACE, name: nodePasswordSecretName(node) };
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = (await storage.get(key)) as Secret | undefined;
    if (existing) {
      const stored = Buffer.from(existing.data?.hash ?? '', 'base64').toString('utf8');
      if (nodePasswordMatches(stored, password)) return { ok: true };
      return { ok: false, reason: `node "${node}" is already registered by another host (its node password does not match); delete the Node to give the name to a new host (the controller manager removes its node password, the Secret kube-system/${nodePasswordSecretName(node)}, with it)` };
    }
    if (await storage.get({ resource: 'nodes', namespace: '', name: node })) {
      return { ok: false, reason: `node "${node}" is already registered and has no node password: it did not join with a token; delete the Node to give the name to a joining host` };
    }
    if (dryRun) return { ok: true };
    const secret: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: nodePasswordSecretName(node), namespace: NODE_PASSWORD_NAMESPACE, uid: randomUUID(), creationTimestamp: formatTime(), labels: { [NODE_PASSWORD_LABEL]: node } },
      type: NODE_PASSWORD_SECRET_TYPE,
      data: { hash: Buffer.from(hashNodePassword(password)).toString('base64') },
    };
    try {
      await storage.create(key, { ...(secret as unknown as KubeObject) });
      return { ok: true };
    } catch (e) {
      // Another join for this name won the race: check against what it recorded.
      if (e instanceof StorageError && e.code === 'AlreadyExists') continue;
      throw e;
    }
  }
  return { ok: false, reason: `node "${node}" is being joined by another host at the same time` };
}
