// Where authorization sits in the request path: right after authentication, before any body is
// read or route runs (kube-apiserver's WithImpersonation, then WithAuthorization). The exec,
// attach and port-forward upgrades, which fastify never sees, go through authorizeRequest too.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/status.ts';
import { requestUser, setRequestUser } from '../auth/user.ts';
import type { Authorizer } from './authorizer.ts';
import { impersonatedUser, wantsImpersonation } from './impersonation.ts';
import { addAuditAnnotation, DECISION_ANNOTATION, REASON_ANNOTATION, recordImpersonator } from '../audit/annotations.ts';

/** Impersonates (when asked) and authorizes a request: undefined when it may go on, else the error to answer. */
export function authorizeRequest(authorizer: Authorizer, req: IncomingMessage): ApiError | undefined {
  const e = decide(authorizer, req);
  // For the audit log, as kube-apiserver's authorization filter annotates every event.
  addAuditAnnotation(req, DECISION_ANNOTATION, e ? 'forbid' : 'allow');
  if (e) addAuditAnnotation(req, REASON_ANNOTATION, e.message);
  return e;
}

function decide(authorizer: Authorizer, req: IncomingMessage): ApiError | undefined {
  let user = requestUser(req);
  try {
    if (wantsImpersonation(req)) {
      recordImpersonator(req, user);
      user = impersonatedUser(authorizer, user, req);
      setRequestUser(req, user);
    }
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  return authorizer.check(user, req.method ?? 'GET', req.url ?? '/');
}

/** Registered after the authentication hook. */
export function registerAuthorization(app: FastifyInstance, authorizer: Authorizer): void {
  app.addHook('onRequest', (req, reply, done) => {
    const e = authorizeRequest(authorizer, req.raw);
    if (!e) return done();
    reply.code(e.code).header('cache-control', 'no-cache, private').type('application/json').send(JSON.stringify(e.toStatus()));
  });
}
