// Bootstrap tokens, as Kubernetes keeps them: `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}), each a
// Secret `bootstrap-token-<id>` in kube-system of type bootstrap.kubernetes.io/token with
// token-id, token-secret, an optional RFC 3339 `expiration`, `usage-bootstrap-authentication`
// and `auth-extra-groups`. A valid token authenticates as system:bootstrap:<id> in
// system:bootstrappers (and the extra groups, which must start with system:bootstrappers:).
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '@skiff/api';
import { SYSTEM_BOOTSTRAPPERS, type UserInfo } from './user.ts';

import { BOOTSTRAP_TOKEN_SECRET_TYPE } from '@skiff/api';
export { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_PATTERN, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapSecretName } from '@skiff/api';

/**
 * The identity a bootstrap token's Secret gives for `secret` (the part after the dot), or
 * undefined when the Secret does not vouch for it: wrong type, other secret, expired, or not for
 * authentication. Pure: `now` is passed in.
 */
export function bootstrapTokenUser(secretObj: KubeObject | undefined, id: string, secret: string, now: Date): UserInfo | undefined {
  if (!secretObj || (secretObj as { type?: string }).type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  if (secretObj.metadata.deletionTimestamp) return undefined;
  const data = (secretObj as { data?: Record<string, string> }).data ?? {};
  const field = (k: string) => (data[k] !== undefined ? Buffer.from(data[k], 'base64').toString('utf8') : undefined);
  if (field('token-id') !== id) return undefined;
  const stored = Buffer.from(field('token-secret') ?? '');
  const given = Buffer.from(secret);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
  if (field('usage-bootstrap-authentication') !== 'true') return undefined;
  const expiration = field('expiration');
  if (expiration !== undefined) {
    const t = Date.parse(expiration);
    if (Number.isNaN(t) || t <= now.getTime()) return undefined;
  }
  const extra = (field('auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g.startsWith(`${SYSTEM_BOOTSTRAPPERS}:`));
  return { username: `system:bootstrap:${id}`, groups: [SYSTEM_BOOTSTRAPPERS, ...extra] };
}
