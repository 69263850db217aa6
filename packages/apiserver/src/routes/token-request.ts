// POST serviceaccounts/NAME/token (TokenRequest, authentication.k8s.io/v1): a signed, expiring
// ServiceAccount token, optionally bound to a Pod, Secret or Node (the token dies with it). What
// `kubectl create token` and the agent's projected serviceAccountToken volumes ask for.
import { requestUser } from '../auth/user.ts';
import { checkNodeTokenRequest } from '../authz/node-restriction.ts';
import type { RouteHandlerMethod } from 'fastify';
import { formatTime, type KubeObject } from '@skiff/api';
import { badRequest, invalid, notFound, notFoundPath } from '../errors/status.ts';
import type { FieldCause } from '@skiff/api';
import { decodeObjectBody } from '../http/body.ts';
import type { ResourceStore } from '../registry/store.ts';
import { API_AUDIENCE, DEFAULT_TOKEN_SECONDS, MAX_TOKEN_SECONDS, MIN_TOKEN_SECONDS, type BoundObject } from '../auth/service-account-tokens.ts';
import type { ServerContext } from './context.ts';
import { paramsOf } from './common.ts';

const REF = { plural: 'serviceaccounts', group: '', kind: 'ServiceAccount' };
const TOKEN_REF = { plural: 'tokenrequests', group: 'authentication.k8s.io', kind: 'TokenRequest' };
const BOUND_KINDS: Record<string, { resource: string; apiVersion: string }> = {
  Pod: { resource: 'pods', apiVersion: 'v1' },
  Secret: { resource: 'secrets', apiVersion: 'v1' },
  Node: { resource: 'nodes', apiVersion: 'v1' },
};

interface TokenRequestBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null };
}

export function tokenRequestHandler(ctx: ServerContext, store: ResourceStore): RouteHandlerMethod {
  return async (req, reply) => {
    const tokens = ctx.serviceAccountTokens;
    if (!tokens) throw notFoundPath();
    const { namespace, name } = paramsOf(req);
    const b = decodeObjectBody(req).obj as TokenRequestBody;
    if ((b.kind && b.kind !== 'TokenRequest') || (b.apiVersion && b.apiVersion !== 'authentication.k8s.io/v1')) {
      throw badRequest(`${b.kind} in version "${b.apiVersion}" cannot be handled as a TokenRequest`);
    }
    const spec = b.spec ?? {};
    const causes: FieldCause[] = [];
    const audiences = spec.audiences === undefined || (Array.isArray(spec.audiences) && spec.audiences.length === 0) ? [API_AUDIENCE] : spec.audiences;
    if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string' || !a)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.audiences', message: 'Invalid value: audiences must be non-empty strings' });
    const expirationSeconds = spec.expirationSeconds ?? DEFAULT_TOKEN_SECONDS;
    if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) causes.push({ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: 'Invalid value: must be an integer' });
    else if (expirationSeconds < MIN_TOKEN_SECONDS) causes.push({ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: 'Invalid value: may not specify a duration less than 10 minutes' });
    else if (expirationSeconds > MAX_TOKEN_SECONDS) causes.push({ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: 'Invalid value: may not specify a duration larger than 2^32 seconds' });
    const ref = spec.boundObjectRef ?? undefined;
    if (ref && !BOUND_KINDS[ref.kind ?? '']) causes.push({ reason: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', message: `Unsupported value: "${ref.kind ?? ''}": supported values: "Pod", "Secret", "Node"` });
    if (ref && !ref.name) causes.push({ reason: 'FieldValueRequired', field: 'spec.boundObjectRef.name', message: 'Required value' });
    if (causes.length) throw invalid(TOKEN_REF, name, causes);

    const sa = await store.get(namespace, name).catch(() => undefined);
    if (!sa) throw notFound(REF, name);
    let boundObject: BoundObject | undefined;
    if (ref) {
      const kind = BOUND_KINDS[ref.kind!];
      const o = (await ctx.storage.get({ resource: kind.resource, namespace: ref.kind === 'Node' ? '' : namespace, name: ref.name! })) as KubeObject | undefined;
      if (!o) throw notFound({ plural: kind.resource, group: '' }, ref.name!);
      if (ref.uid && ref.uid !== o.metadata.uid) throw conflictUid(ref.kind!, ref.name!, ref.uid, o.metadata.uid!);
      boundObject = { kind: ref.kind as BoundObject['kind'], name: ref.name!, uid: o.metadata.uid! };
      checkNodeTokenRequest(requestUser(req), { kind: ref.kind, object: o }, REF, name);
    } else checkNodeTokenRequest(requestUser(req), {}, REF, name);
    const { token, expiresAt } = await tokens.issue({
      namespace,
      serviceAccount: { name, uid: sa.metadata.uid! },
      audiences: audiences as string[],
      expirationSeconds: expirationSeconds as number,
      boundObject,
    });
    const outSpec: Record<string, unknown> = { audiences, expirationSeconds };
    outSpec.boundObjectRef = boundObject ? { kind: boundObject.kind, apiVersion: BOUND_KINDS[boundObject.kind].apiVersion, name: boundObject.name, uid: boundObject.uid } : null;
    return reply.code(201).send({
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: null },
      spec: outSpec,
      status: { token, expirationTimestamp: formatTime(expiresAt) },
    });
  };
}

function conflictUid(kind: string, name: string, want: string, have: string) {
  return badRequest(`the UID in the bound object reference (${want}) does not match the UID in record. The object might have been deleted and then recreated (${kind} ${name} has ${have})`);
}
