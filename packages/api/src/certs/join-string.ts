// Bootstrap tokens and join strings (ADR 0019). A bootstrap token is Kubernetes' `<id>.<secret>`
// ([a-z0-9]{6}.[a-z0-9]{16}), kept as the Secret `bootstrap-token-<id>` in kube-system (as kubeadm
// writes it). A join string is k3s' secure token format, `K10<CA hash>::<token>`: the hash (the
// SHA-256 of the cluster CA's DER, hex) lets a joining agent check the server it reached before
// it sends the token.
import { randomInt } from 'node:crypto';
import type { Secret } from '../model/types.generated.ts';

export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
/** The extra group skiff's node tokens carry (kubeadm's is system:bootstrappers:kubeadm:default-node-token). */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:skiff:default-node-token';

export function bootstrapSecretName(id: string): string {
  return `bootstrap-token-${id}`;
}

export interface JoinString {
  /** SHA-256 of the CA certificate's DER, 64 lower-case hex digits. */
  caHash: string;
  /** `<id>.<secret>` */
  token: string;
  id: string;
}

const JOIN = /^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})$/;

export function formatJoinString(caHash: string, token: string): string {
  return `K10${caHash}::${token}`;
}

/**
 * Reads a join string; throws with what is wrong (never echoing the secret part). A bare token
 * is refused: without the CA's hash the agent could not tell the cluster from an impostor.
 */
export function parseJoinString(s: string): JoinString {
  const t = s.trim();
  const m = JOIN.exec(t);
  if (m) return { caHash: m[1], id: m[2], token: `${m[2]}.${m[3]}` };
  if (BOOTSTRAP_TOKEN_PATTERN.test(t)) throw new Error('the join string lacks the CA hash: give the whole K10<hash>::<token> string that `skiff token create` prints');
  throw new Error('not a join string: expected K10<64 hex digits of the CA hash>::<6 characters>.<16 characters> (what `skiff token create` prints)');
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** A new random bootstrap token (kubeadm's generator: crypto-random [a-z0-9]). */
export function newBootstrapToken(): { id: string; secret: string; token: string } {
  const id = randomString(6);
  const secret = randomString(16);
  return { id, secret, token: `${id}.${secret}` };
}

export interface BootstrapTokenSpec {
  id: string;
  secret: string;
  /** Lifetime; none: the token never expires (kubeadm's --ttl 0). */
  ttlSeconds?: number;
  description?: string;
  /** Default: DEFAULT_NODE_TOKEN_GROUP. */
  extraGroups?: string[];
  now?: Date;
}

/** The Secret that makes a bootstrap token valid, with the fields kubeadm writes. */
export function bootstrapTokenSecret(spec: BootstrapTokenSpec): Secret {
  const now = spec.now ?? new Date();
  const stringData: Record<string, string> = {
    'token-id': spec.id,
    'token-secret': spec.secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': (spec.extraGroups ?? [DEFAULT_NODE_TOKEN_GROUP]).join(','),
  };
  if (spec.ttlSeconds) stringData.expiration = new Date(now.getTime() + spec.ttlSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (spec.description) stringData.description = spec.description;
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapSecretName(spec.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  };
}
