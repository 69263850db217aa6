// The authorization review APIs (authorization.k8s.io/v1), answered by the same authorizer that
// guards every request:
//   POST selfsubjectaccessreviews            may I do X?           (kubectl auth can-i)
//   POST selfsubjectrulesreviews             what may I do in NS?  (kubectl auth can-i --list)
//   POST subjectaccessreviews                may user U do X?
//   POST namespaces/NS/localsubjectaccessreviews   the same, within NS
// Each answers 201 with the request and its status; nothing is stored.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, invalid } from '../errors/status.ts';
import { decodeObjectBody } from '../http/body.ts';
import { requestUser, type UserInfo } from '../auth/user.ts';
import type { Attributes } from '../authz/attributes.ts';
import type { ServerContext } from './context.ts';

const GROUP = 'authorization.k8s.io';
const PREFIX = `/apis/${GROUP}/v1`;

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface ReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: { path?: string; verb?: string } | null;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  namespace?: string;
}

interface Review {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: ReviewSpec;
}

function decodeReview(req: FastifyRequest, kind: string): Review {
  const body = decodeObjectBody(req).obj as Review;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body must be a ${kind}`);
  if ((body.kind && body.kind !== kind) || (body.apiVersion && body.apiVersion !== `${GROUP}/v1`)) throw badRequest(`${body.kind} in version "${body.apiVersion}" cannot be handled as a ${kind}`);
  return body;
}

function attributesOf(user: UserInfo, spec: ReviewSpec, kind: string): Attributes {
  const ref = { plural: `${kind.toLowerCase()}s`, group: GROUP, kind };
  const r = spec.resourceAttributes ?? undefined;
  const n = spec.nonResourceAttributes ?? undefined;
  if (!!r === !!n) {
    throw invalid(ref, '', [{ reason: 'FieldValueRequired', field: 'spec.resourceAttributes', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
  }
  if (n) return { user, verb: n.verb ?? '', resourceRequest: false, path: n.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  return {
    user,
    verb: r!.verb ?? '',
    resourceRequest: true,
    path: '',
    apiGroup: r!.group ?? '',
    apiVersion: r!.version ?? '',
    resource: r!.resource ?? '',
    subresource: r!.subresource ?? '',
    namespace: r!.namespace ?? '',
    name: r!.name ?? '',
  };
}

function answer(reply: FastifyReply, kind: string, review: Review, status: Record<string, unknown>, namespace?: string): FastifyReply {
  const metadata: Record<string, unknown> = { ...(review.metadata ?? {}), creationTimestamp: null };
  if (namespace) metadata.namespace = namespace;
  return reply.code(201).send({ kind, apiVersion: `${GROUP}/v1`, metadata, spec: review.spec ?? {}, status });
}

function accessStatus(ctx: ServerContext, a: Attributes): Record<string, unknown> {
  const d = ctx.authorizer.authorize(a);
  if (d.kind === 'allow') return { allowed: true };
  const out: Record<string, unknown> = { allowed: false };
  if (d.kind === 'deny') out.denied = true;
  if (d.reason) out.reason = d.reason;
  return out;
}

export function registerAccessReviews(app: FastifyInstance, ctx: ServerContext): void {
  app.post(`${PREFIX}/selfsubjectaccessreviews`, (req, reply) => {
    const review = decodeReview(req, 'SelfSubjectAccessReview');
    return answer(reply, 'SelfSubjectAccessReview', review, accessStatus(ctx, attributesOf(requestUser(req), review.spec ?? {}, 'SelfSubjectAccessReview')));
  });

  const subjectReview = (kind: string, namespace?: string) => (review: Review) => {
    const spec = review.spec ?? {};
    if (!spec.user && !(spec.groups ?? []).length) {
      throw invalid({ plural: `${kind.toLowerCase()}s`, group: GROUP, kind }, '', [{ reason: 'FieldValueInvalid', field: 'spec.user', message: 'Invalid value: "": at least one of user or group must be specified' }]);
    }
    const user: UserInfo = { username: spec.user ?? '', groups: spec.groups ?? [] };
    if (spec.uid) user.uid = spec.uid;
    if (spec.extra) user.extra = spec.extra;
    const a = attributesOf(user, spec, kind);
    if (namespace !== undefined && (!a.resourceRequest || a.namespace !== namespace)) {
      throw invalid({ plural: `${kind.toLowerCase()}s`, group: GROUP, kind }, '', [{ reason: 'FieldValueInvalid', field: 'spec.resourceAttributes.namespace', message: 'Invalid value: must match metadata.namespace' }]);
    }
    return accessStatus(ctx, a);
  };
  app.post(`${PREFIX}/subjectaccessreviews`, (req, reply) => {
    const review = decodeReview(req, 'SubjectAccessReview');
    return answer(reply, 'SubjectAccessReview', review, subjectReview('SubjectAccessReview')(review));
  });
  app.post(`${PREFIX}/namespaces/:namespace/localsubjectaccessreviews`, (req, reply) => {
    const ns = (req.params as { namespace: string }).namespace;
    const review = decodeReview(req, 'LocalSubjectAccessReview');
    return answer(reply, 'LocalSubjectAccessReview', review, subjectReview('LocalSubjectAccessReview', ns)(review), ns);
  });

  app.post(`${PREFIX}/selfsubjectrulesreviews`, (req, reply) => {
    const review = decodeReview(req, 'SelfSubjectRulesReview');
    const namespace = review.spec?.namespace ?? '';
    const { rules, incomplete } = ctx.authorizer.rulesReview(requestUser(req), namespace);
    const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
    const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    return answer(reply, 'SelfSubjectRulesReview', review, { resourceRules, nonResourceRules, incomplete });
  });
}
