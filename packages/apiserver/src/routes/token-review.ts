// POST /apis/authentication.k8s.io/v1/tokenreviews (TokenReview): who a bearer token makes its
// holder, asked by someone allowed to `create tokenreviews` (system:auth-delegator: webhooks,
// in-cluster authenticating proxies). Answered by the same token authenticators as every request
// (auth/authenticate.ts): static, bootstrap and ServiceAccount tokens — not client certificates,
// which a token review cannot carry. 201 with the review and its status; nothing stored, and the
// audit log never records its body (ADR 0020).
//
// As kube-apiserver's tokenreview REST storage: an empty token is 400; `spec.audiences` (default:
// the API server's) must meet the token's, and the status lists those it met; a token that does
// not authenticate is `authenticated` false (omitted), with `error` when it looked like ours.
import type { FastifyInstance } from 'fastify';
import { badRequest, invalid } from '../errors/status.ts';
import { decodeObjectBody } from '../http/body.ts';
import { API_AUDIENCE, looksLikeJwt } from '../auth/service-account-tokens.ts';
import type { ServerContext } from './context.ts';

const GROUP_VERSION = 'authentication.k8s.io/v1';
const REF = { plural: 'tokenreviews', group: 'authentication.k8s.io', kind: 'TokenReview' };

interface TokenReview {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: { token?: unknown; audiences?: unknown };
}

export function registerTokenReview(app: FastifyInstance, ctx: ServerContext): void {
  app.post(`/apis/${GROUP_VERSION}/tokenreviews`, async (req, reply) => {
    const body = decodeObjectBody(req).obj as TokenReview;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a TokenReview');
    if ((body.kind && body.kind !== 'TokenReview') || (body.apiVersion && body.apiVersion !== GROUP_VERSION)) throw badRequest(`${body.kind} in version "${body.apiVersion}" cannot be handled as a TokenReview`);
    const spec = body.spec ?? {};
    if (typeof spec.token !== 'string' || spec.token === '') throw badRequest('token is required for TokenReview in authentication');
    if (spec.audiences !== undefined && spec.audiences !== null && (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== 'string'))) {
      throw invalid(REF, '', [{ reason: 'FieldValueInvalid', field: 'spec.audiences', message: 'Invalid value: audiences must be a list of strings' }]);
    }
    const asked = (spec.audiences as string[] | null | undefined)?.length ? (spec.audiences as string[]) : [API_AUDIENCE];
    const found = await ctx.authenticator.reviewToken(spec.token, asked);
    const status: Record<string, unknown> = { user: {} };
    if (found) {
      const u = found.user;
      const user: Record<string, unknown> = { username: u.username };
      if (u.uid) user.uid = u.uid;
      user.groups = u.groups;
      if (u.extra && Object.keys(u.extra).length) user.extra = u.extra;
      status.authenticated = true;
      status.user = user;
      status.audiences = found.audiences;
    } else if (looksLikeJwt(spec.token)) {
      status.error = 'invalid bearer token';
    }
    const metadata = { ...(body.metadata ?? {}), creationTimestamp: null };
    return reply.code(201).send({ kind: 'TokenReview', apiVersion: GROUP_VERSION, metadata, spec: body.spec, status });
  });
}
