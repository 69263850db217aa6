// The `paths` of a group-version's OpenAPI v3 document, in kube-apiserver's shape. kubectl reads
// two things from them: whether a kind's PATCH operation takes `fieldValidation` (then it leaves
// validation to the server and sends `?fieldValidation=Strict`), and whether it accepts
// strategic merge patches (then `kubectl apply` builds one from the schemas' patch keys).
import { COMPONENT_PREFIX, modelTypeIdOf, type OpenAPISchema as Schema, type ResourceInfo } from '@skiff/api';
import { subresourceInfo } from '../discovery/subresources.ts';
import type { GroupVersionKind } from '../discovery/subresources.ts';

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

const refPath = (name: string) => `${COMPONENT_PREFIX}${name}`;

/** `io.k8s.api.apps.v1.Deployment`: the components.schemas name of a kind, from the model. */
export function schemaName(gvk: GroupVersionKind): string {
  const id = modelTypeIdOf(gvk);
  if (!id) throw new Error(`the object model has no kind ${gvk.group}/${gvk.version} ${gvk.kind}`);
  return id;
}

export const PATCH_CONTENT_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const q = (name: string, description: string, type: 'string' | 'boolean' | 'integer' = 'string'): Schema => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});

const P = {
  pretty: q('pretty', "If 'true', the output is pretty printed."),
  dryRun: q('dryRun', 'When present, modifications are not persisted. The only valid value is All.'),
  fieldManager: q('fieldManager', 'Name of the actor making these changes, recorded in managedFields.'),
  fieldValidation: q(
    'fieldValidation',
    'How the server treats unknown or duplicate fields in the body: Ignore, Warn or Strict (reject with 400 BadRequest).',
  ),
  force: q('force', 'Apply requests only: take ownership of fields owned by other managers.', 'boolean'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'Seconds before the object is deleted; 0 deletes immediately.', 'integer'),
  propagationPolicy: q('propagationPolicy', 'Orphan, Background or Foreground: whether and how dependents are garbage collected.'),
  labelSelector: q('labelSelector', 'Restrict the list of returned objects by their labels.'),
  fieldSelector: q('fieldSelector', 'Restrict the list of returned objects by their fields.'),
  limit: q('limit', 'Maximum number of responses to return for a list call.', 'integer'),
  continue: q('continue', 'The continue token of a previous paged list call.'),
  resourceVersion: q('resourceVersion', 'Constrains which resource versions a request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'How resourceVersion is applied to list calls: Exact or NotOlderThan.'),
  watch: q('watch', 'Watch for changes and return them as a stream of add, update and remove notifications.', 'boolean'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'Request BOOKMARK watch events.', 'boolean'),
  timeoutSeconds: q('timeoutSeconds', 'Timeout for the list or watch call.', 'integer'),
  sendInitialEvents: q('sendInitialEvents', 'Start a watch with synthetic ADDED events for the current state.', 'boolean'),
  name: { name: 'name', in: 'path', description: 'name of the object', required: true, schema: { type: 'string', uniqueItems: true } },
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } },
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];

function json(name: string): Schema {
  return { 'application/json': { schema: { $ref: refPath(name) } } };
}

function ok(name: string, codes = ['200']): Schema {
  return Object.fromEntries(codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: json(name) }]));
}

function gvkExt(gvk: GroupVersionKind): Schema {
  return { group: gvk.group, version: gvk.version, kind: gvk.kind };
}

function groupCamel(group: string): string {
  const first = group === '' ? 'core' : group.split('.')[0];
  return first[0].toUpperCase() + first.slice(1);
}

interface OperationSpec {
  verb: string;
  action: string;
  gvk: GroupVersionKind;
  description: string;
  parameters?: Schema[];
  requestBody?: Schema;
  responses: Schema;
}

function operation(r: ResourceInfo, op: OperationSpec, idSuffix: string): Schema {
  const tag = `${groupCamel(r.group).toLowerCase()}_${r.version}`;
  const out: Schema = {
    tags: [tag],
    description: op.description,
    operationId: `${op.verb}${groupCamel(r.group)}${r.version[0].toUpperCase()}${r.version.slice(1)}${idSuffix}`,
  };
  if (op.parameters) out.parameters = op.parameters;
  if (op.requestBody) out.requestBody = op.requestBody;
  out.responses = { ...op.responses, '401': { description: 'Unauthorized' } };
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExt(op.gvk);
  return out;
}

function body(name: string): Schema {
  return { content: { '*/*': { schema: { $ref: refPath(name) } } }, required: true };
}

function patchBody(): Schema {
  return {
    content: Object.fromEntries(PATCH_CONTENT_TYPES.map((t) => [t, { schema: { $ref: refPath(`${META}Patch`) } }])),
    required: true,
  };
}

/** GET, PUT and PATCH of an object or of its status/scale subresource. */
function readWrite(r: ResourceInfo, gvk: GroupVersionKind, suffix: string, what: string, verbs: Set<string>): Schema {
  const name = schemaName(gvk);
  const item: Schema = {};
  if (verbs.has('get')) item.get = operation(r, { verb: 'read', action: 'get', gvk, description: `read ${what}`, responses: ok(name) }, suffix);
  if (verbs.has('update')) {
    item.put = operation(
      r,
      { verb: 'replace', action: 'put', gvk, description: `replace ${what}`, parameters: WRITE_PARAMS, requestBody: body(name), responses: ok(name, ['200', '201']) },
      suffix,
    );
  }
  if (verbs.has('patch')) {
    item.patch = operation(
      r,
      {
        verb: 'patch',
        action: 'patch',
        gvk,
        description: `partially update ${what}`,
        parameters: [...WRITE_PARAMS, P.force],
        requestBody: patchBody(),
        responses: ok(name, ['200', '201']),
      },
      suffix,
    );
  }
  return item;
}

/** Every path of one resource, keyed by URL template. */
export function resourcePaths(r: ResourceInfo): Record<string, Schema> {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const namespaced = r.scope === 'Namespaced';
  const collection = namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const item = `${collection}/{name}`;
  const scopeParams = namespaced ? [P.namespace] : [];
  const ns = namespaced ? 'Namespaced' : '';
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const listGvk: GroupVersionKind = { ...gvk, kind: r.listKind };
  const kindName = schemaName(gvk);
  const verbs = new Set(r.verbs);
  const paths: Record<string, Schema> = {};

  const coll: Schema = { parameters: [...scopeParams, P.pretty] };
  if (verbs.has('list')) {
    coll.get = operation(r, { verb: 'list', action: 'list', gvk, description: `list or watch objects of kind ${r.kind}`, parameters: LIST_PARAMS, responses: ok(schemaName(listGvk)) }, `${ns}${r.kind}`);
  }
  if (verbs.has('create')) {
    coll.post = operation(
      r,
      { verb: 'create', action: 'post', gvk, description: `create a ${r.kind}`, parameters: WRITE_PARAMS, requestBody: body(kindName), responses: ok(kindName, ['200', '201', '202']) },
      `${ns}${r.kind}`,
    );
  }
  if (verbs.has('deletecollection')) {
    coll.delete = operation(
      r,
      {
        verb: 'delete',
        action: 'deletecollection',
        gvk,
        description: `delete collection of ${r.kind}`,
        parameters: [...LIST_PARAMS, P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
        requestBody: { content: json(`${META}DeleteOptions`) },
        responses: ok(`${META}Status`),
      },
      `Collection${ns}${r.kind}`,
    );
  }
  paths[collection] = coll;

  const one: Schema = { parameters: [P.name, ...scopeParams, P.pretty], ...readWrite(r, gvk, `${ns}${r.kind}`, `the specified ${r.kind}`, verbs) };
  if (verbs.has('delete')) {
    one.delete = operation(
      r,
      {
        verb: 'delete',
        action: 'delete',
        gvk,
        description: `delete a ${r.kind}`,
        parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
        requestBody: { content: json(`${META}DeleteOptions`) },
        responses: { ...ok(kindName), '202': { description: 'Accepted', content: json(kindName) } },
      },
      `${ns}${r.kind}`,
    );
  }
  // A create-only kind (the reviews) has no path of its own objects.
  if (Object.keys(one).length > 1) paths[item] = one;

  if (namespaced && verbs.has('list')) {
    paths[`${base}/${r.plural}`] = {
      parameters: [P.pretty],
      get: operation(r, { verb: 'list', action: 'list', gvk, description: `list or watch objects of kind ${r.kind}`, parameters: LIST_PARAMS, responses: ok(schemaName(listGvk)) }, `${r.kind}ForAllNamespaces`),
    };
  }

  for (const sub of r.subresources) {
    const info = subresourceInfo(r, sub);
    const subVerbs = new Set(info.verbs);
    const cap = sub[0].toUpperCase() + sub.slice(1);
    const suffix = `${ns}${r.kind}${cap}`;
    const params = { parameters: [P.name, ...scopeParams, P.pretty] };
    const path = `${item}/${sub}`;
    if (sub === 'status' || sub === 'scale' || sub === 'ephemeralcontainers') {
      paths[path] = { ...params, ...readWrite(r, info.responseKind, suffix, `${sub} of the specified ${r.kind}`, subVerbs) };
    } else if (sub === 'binding' || sub === 'eviction') {
      paths[path] = {
        ...params,
        post: operation(
          r,
          { verb: 'create', action: 'post', gvk: info.responseKind, description: `create ${sub} of a ${r.kind}`, parameters: WRITE_PARAMS, requestBody: body(schemaName(info.responseKind)), responses: ok(schemaName(info.responseKind), ['200', '201', '202']) },
          suffix,
        ),
      };
    } else {
      // log, exec, attach, portforward, proxy: plain-text or upgraded connections, described without a body schema.
      const text = { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } };
      const entry: Schema = { ...params };
      entry.get = operation(
        r,
        { verb: sub === 'log' ? 'read' : 'connectGet', action: sub === 'log' ? 'get' : 'connect', gvk: info.responseKind, description: `${sub === 'log' ? 'read' : 'connect GET requests to'} ${sub} of ${r.kind}`, responses: text },
        suffix,
      );
      if (sub !== 'log') {
        entry.post = operation(r, { verb: 'connectPost', action: 'connect', gvk: info.responseKind, description: `connect POST requests to ${sub} of ${r.kind}`, responses: text }, suffix);
      }
      paths[path] = entry;
    }
  }
  return paths;
}
