// Who made a request: the ONE place the rest of the server reads the authenticated identity from
// (Kubernetes' user.Info). Authentication (./authenticate.ts) sets it once per request in an
// onRequest hook; everything after it (routes, later RBAC and admission) calls requestUser(req).
//
// Until authorization exists (issue 12 §2), every authenticated user may do everything.
import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Kubernetes' well-known groups and users (k8s.io/apiserver/pkg/authentication/user). */
export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
export const SYSTEM_NODES = 'system:nodes';
export const SYSTEM_BOOTSTRAPPERS = 'system:bootstrappers';
export const SYSTEM_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const ANONYMOUS = 'system:anonymous';
/** The identity of a request on the plain-HTTP loopback port (ADR 0014), as Kubernetes' insecure port had it. */
export const UNSECURED_USER: UserInfo = Object.freeze({ username: 'system:unsecured', groups: [SYSTEM_MASTERS, SYSTEM_AUTHENTICATED] }) as UserInfo;

const USER = Symbol('skiff.user');

interface WithUser {
  [USER]?: UserInfo;
}

/** Records the request's identity (authentication's job, nobody else's). */
export function setRequestUser(req: IncomingMessage, user: UserInfo): void {
  (req as WithUser)[USER] = user;
}

/**
 * The authenticated identity of a request. Every request that reaches a route has one: an
 * unauthenticated request was answered 401 before (except the public paths, which are anonymous).
 */
export function requestUser(req: IncomingMessage | { raw: IncomingMessage }): UserInfo {
  const raw = 'raw' in req ? req.raw : req;
  return (raw as WithUser)[USER] ?? { username: ANONYMOUS, groups: [SYSTEM_UNAUTHENTICATED] };
}

/** Adds system:authenticated (every authenticated user is in it) unless already there. */
export function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes(SYSTEM_AUTHENTICATED) ? user : { ...user, groups: [...user.groups, SYSTEM_AUTHENTICATED] };
}
