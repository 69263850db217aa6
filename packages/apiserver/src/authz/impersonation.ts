// Impersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go): `Impersonate-User`,
// `Impersonate-Uid`, `Impersonate-Group` (repeatable) and `Impersonate-Extra-<key>` headers
// (`kubectl --as`, `--as-group`, `--as-uid`) make a request act as another user, when the
// caller may `impersonate` each of them: users (or serviceaccounts, for a ServiceAccount's user
// name), groups, userextras/<key> and uids. The impersonated user is authenticated as such:
// in system:authenticated (and a ServiceAccount in its groups), unless it is system:anonymous.
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../errors/status.ts';
import { ANONYMOUS, SYSTEM_AUTHENTICATED, SYSTEM_SERVICE_ACCOUNTS, SYSTEM_UNAUTHENTICATED, type UserInfo } from '../auth/user.ts';
import type { Attributes } from './attributes.ts';
import { forbiddenError, type Authorizer } from './authorizer.ts';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Whether the request asks to impersonate anyone (cheap: most requests do not). */
export function wantsImpersonation(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h['impersonate-user'] !== undefined || h['impersonate-group'] !== undefined || h['impersonate-uid'] !== undefined) return true;
  for (const k in h) if (k.startsWith(EXTRA_PREFIX)) return true;
  return false;
}

/** The user `req` acts as, checked against what `caller` may impersonate; throws a 400 or 403. */
export function impersonatedUser(authorizer: Authorizer, caller: UserInfo, req: IncomingMessage): UserInfo {
  const h = req.headers;
  const username = values(h['impersonate-user'])[0] ?? '';
  const groups = values(h['impersonate-group']).flatMap((g) => g.split(',').map((s) => s.trim())).filter(Boolean);
  const uid = values(h['impersonate-uid'])[0];
  const extra: Record<string, string[]> = {};
  for (const k in h) {
    if (!k.startsWith(EXTRA_PREFIX)) continue;
    const key = decodeURIComponent(k.slice(EXTRA_PREFIX.length));
    extra[key] = values(h[k]).flatMap((v) => v.split(',').map((s) => s.trim()));
  }
  if (!username) throw badRequest(`requested impersonation of groups, uid or extra without impersonating a user`);
  const check = (a: Omit<Attributes, 'user' | 'verb' | 'resourceRequest' | 'path' | 'apiVersion' | 'subresource'> & { subresource?: string }) => {
    const attrs: Attributes = { user: caller, verb: 'impersonate', resourceRequest: true, path: '', apiVersion: 'v1', subresource: '', ...a };
    const d = authorizer.authorize(attrs);
    if (d.kind !== 'allow') throw forbiddenError(attrs, d.reason);
  };
  let saGroups: string[] = [];
  if (username.startsWith(SA_PREFIX)) {
    const [namespace, name] = username.slice(SA_PREFIX.length).split(':');
    if (!namespace || !name) throw badRequest(`invalid ServiceAccount user name ${JSON.stringify(username)}`);
    check({ apiGroup: '', resource: 'serviceaccounts', namespace, name });
    saGroups = [SYSTEM_SERVICE_ACCOUNTS, `${SYSTEM_SERVICE_ACCOUNTS}:${namespace}`];
  } else check({ apiGroup: '', resource: 'users', namespace: '', name: username });
  for (const g of groups) check({ apiGroup: '', resource: 'groups', namespace: '', name: g });
  for (const [key, vs] of Object.entries(extra)) for (const v of vs) check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, namespace: '', name: v });
  if (uid !== undefined) check({ apiGroup: 'authentication.k8s.io', resource: 'uids', namespace: '', name: uid });
  const all = [...groups];
  if (groups.length === 0) for (const g of saGroups) all.push(g);
  const special = username === ANONYMOUS ? SYSTEM_UNAUTHENTICATED : SYSTEM_AUTHENTICATED;
  if (!all.includes(special)) all.push(special);
  const user: UserInfo = { username, groups: all };
  if (uid !== undefined) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

