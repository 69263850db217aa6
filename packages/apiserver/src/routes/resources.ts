// The REST routes of every resource in the registry: collection (list, watch, create,
// deletecollection) and item (get, update, patch, delete), at Kubernetes' paths. Handlers are
// built once per resource as closures over its store, so a request does one route lookup and no
// per-request dispatch on the resource.
//
// Route map (<gv> = /api/v1 for the core group, /apis/<group>/<version> otherwise):
//   namespaced:  GET|POST|DELETE  <gv>/namespaces/{ns}/{plural}          list+watch | create | deletecollection
//                GET              <gv>/{plural}                          list+watch across namespaces
//                GET|PUT|PATCH|DELETE <gv>/namespaces/{ns}/{plural}/{name}
//   cluster:     GET|POST|DELETE  <gv>/{plural};  GET|PUT|PATCH|DELETE <gv>/{plural}/{name}
//   subresources (./subresources.ts): {name}/status GET|PUT|PATCH, {name}/scale GET|PUT|PATCH,
//                pods/{name}/binding POST, pods/{name}/eviction POST, pods/{name}/log GET, pods/{name}/exec (WebSocket upgrade)
//   other methods on those paths: 405; unknown paths: 404 Status.
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { notEnforcedWarnings, type KubeObject } from '@skiff/api';
import { StorageError } from '../storage/types.ts';
import { badRequest, expired, forbidden, invalid, notFound, successStatus } from '../errors/status.ts';
import { decodeObjectBody } from '../http/body.ts';
import { defaultWatchTimeoutSeconds, serveWatch } from '../http/watch.ts';
import type { ResourceStore, Subresource } from '../registry/store.ts';
import { IMMORTAL_NAMESPACES } from '../registry/namespaces.ts';
import { applyPatch } from '../patch/index.ts';
import { managerOf, recordUpdate } from '../patch/managed-fields.ts';
import type { JsonObject } from '../patch/json.ts';
import { decodePatch, fromPatchError, methodNotAllowedFor, orderTypeMeta, paramsOf, patchPinsResourceVersion } from './common.ts';
import { toTable } from '../tables/index.ts';
import { boolParam } from './bool-param.ts';
import type { ServerContext } from './context.ts';
import { addWarnings, continueOf, decodeChecked, deleteOptionsOf, dryRunOf, fieldValidationOf, filterOf, limitOf, queryOf, timeoutOf } from './query.ts';
import { JSON_TYPE, listBody, sendTable, sendWritten, stripTypeMeta, tableRequest } from './render.ts';
import { registerSubresourceRoutes } from './subresources.ts';
import { requestUser } from '../auth/user.ts';
import type { Requester } from '../registry/strategy.ts';

/** Who sent a request, for admission that reads it (registry/strategy.ts). */
function requesterOf(req: FastifyRequest): Requester {
  return {
    user: requestUser(req),
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    },
  };
}

export interface RouteConfig {
  resource: string;
  verb: string;
}

/** Where a resource lives: `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPrefix(store: ResourceStore): string {
  const r = store.info;
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

export function registerResourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const store of ctx.stores.values()) registerResource(app, ctx, store);
}

function route(app: FastifyInstance, method: string | string[], url: string, resource: string, verb: string, handler: RouteHandlerMethod): void {
  app.route({ method: method as any, url, handler, config: { resource, verb } satisfies RouteConfig });
}

function registerResource(app: FastifyInstance, ctx: ServerContext, store: ResourceStore): void {
  const r = store.info;
  const prefix = groupVersionPrefix(store);
  const coll = store.namespaced ? `${prefix}/namespaces/:namespace/${r.plural}` : `${prefix}/${r.plural}`;
  const item = `${coll}/:name`;
  const metric = store.key;
  const h = handlers(ctx, store);

  route(app, 'GET', coll, metric, 'list', h.list);
  route(app, 'POST', coll, metric, 'create', h.create);
  route(app, 'DELETE', coll, metric, 'deletecollection', h.deleteCollection);
  methodNotAllowedFor(app, coll, ['GET', 'POST', 'DELETE']);
  if (store.namespaced) {
    route(app, 'GET', `${prefix}/${r.plural}`, metric, 'list', h.list);
    methodNotAllowedFor(app, `${prefix}/${r.plural}`, ['GET']);
  }
  route(app, 'GET', item, metric, 'get', h.get);
  route(app, 'PUT', item, metric, 'update', h.update(''));
  route(app, 'PATCH', item, metric, 'patch', h.patch(''));
  route(app, 'DELETE', item, metric, 'delete', h.delete);
  methodNotAllowedFor(app, item, ['GET', 'PUT', 'PATCH', 'DELETE']);
  if (r.subresources.includes('status')) {
    route(app, 'GET', `${item}/status`, `${metric}/status`, 'get', h.get);
    route(app, 'PUT', `${item}/status`, `${metric}/status`, 'update', h.update('status'));
    route(app, 'PATCH', `${item}/status`, `${metric}/status`, 'patch', h.patch('status'));
    methodNotAllowedFor(app, `${item}/status`, ['GET', 'PUT', 'PATCH']);
  }
  for (const sub of ['ephemeralcontainers', 'approval'] as const) {
    // kubectl debug: the pod, of which a write may change spec.ephemeralContainers only;
    // kubectl certificate approve|deny: a CSR's Approved and Denied conditions only.
    if (!r.subresources.includes(sub)) continue;
    route(app, 'GET', `${item}/${sub}`, `${metric}/${sub}`, 'get', h.get);
    route(app, 'PUT', `${item}/${sub}`, `${metric}/${sub}`, 'update', h.update(sub));
    route(app, 'PATCH', `${item}/${sub}`, `${metric}/${sub}`, 'patch', h.patch(sub));
    methodNotAllowedFor(app, `${item}/${sub}`, ['GET', 'PUT', 'PATCH']);
  }
  registerSubresourceRoutes(app, ctx, store, item);
}

/** Storage errors that reach a route are answered as Kubernetes would. */
export function mapStorageError(store: ResourceStore, e: unknown): never {
  if (e instanceof StorageError && e.code === 'Expired') {
    throw expired(`The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter. (${e.message})`);
  }
  throw e;
}

function handlers(ctx: ServerContext, store: ResourceStore) {
  const storage = store.storage;

  const get: RouteHandlerMethod = async (req, reply) => {
    const { namespace, name } = paramsOf(req);
    const key = store.objectKey(namespace, name);
    const table = req.headers.accept && req.headers.accept.includes('as=Table') ? tableRequest(req, queryOf(req)) : undefined;
    if (!table) {
      const raw = await storage.getRaw(key);
      if (raw === undefined) throw notFound(store.ref, name);
      return reply.type(JSON_TYPE).send(raw);
    }
    const obj = await store.get(namespace, name);
    sendTable(reply, store, [obj], { ...table, resourceVersion: obj.metadata.resourceVersion });
    return reply;
  };

  const list: RouteHandlerMethod = async (req, reply) => {
    const q = queryOf(req);
    const { namespace } = paramsOf(req);
    const ns = store.namespaced && namespace ? namespace : undefined;
    const filter = filterOf(store, q);
    const table = tableRequest(req, q);
    const timeoutSeconds = timeoutOf(q); // checked for lists too, as Kubernetes decodes ListOptions whole
    const watch = boolParam(q.watch, 'watch');
    const bookmarks = boolParam(q.allowWatchBookmarks, 'allowWatchBookmarks') ?? false;
    const sendInitialEvents = boolParam(q.sendInitialEvents, 'sendInitialEvents') ?? false;
    if (watch) {
      const rv = q.resourceVersion;
      if (rv && rv !== '0' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
      await serveWatch(reply, {
        store,
        namespace: ns,
        resourceVersion: rv,
        filter,
        bookmarks,
        sendInitialEvents,
        // 0 or absent: the server's own (randomised) timeout, as kube-apiserver does.
        timeoutSeconds: timeoutSeconds || defaultWatchTimeoutSeconds(),
        render: table
          ? { key: `table:${table.includeObject}`, fn: (o) => toTable(store.info, [o], { includeObject: table.includeObject, resourceVersion: o.metadata.resourceVersion }) }
          : undefined,
        maxBufferedBytes: ctx.watchMaxBufferedBytes,
        onOpen: () => ctx.metrics.watchOpened(store.key),
        onClose: () => ctx.metrics.watchClosed(store.key),
        onTerminated: () => ctx.metrics.watchTerminated(store.key),
      });
      return reply;
    }
    const opts = { namespace: ns, limit: limitOf(q), continue: continueOf(q, ns), filter };
    try {
      if (table) {
        const l = await storage.list(store.key, opts);
        sendTable(reply, store, l.items, { ...table, resourceVersion: String(l.revision), continue: l.continue });
      } else {
        const l = await storage.listRaw(store.key, opts);
        reply.type(JSON_TYPE).send(listBody(store, l.items, l));
      }
    } catch (e) {
      mapStorageError(store, e);
    }
    return reply;
  };

  /** Records the request's manager in managedFields for a write that is not an apply (managed-fields.ts). */
  const owned = (req: FastifyRequest, sub: Subresource) => {
    const manager = managerOf(queryOf(req).fieldManager, req.headers['user-agent']);
    const ownership = { kind: store.info.kind, manager, apiVersion: store.apiVersion, subresource: sub === 'raw' ? '' : sub, statusSubresource: store.strategy.statusSubresource };
    return (old: KubeObject | undefined, next: KubeObject): KubeObject => recordUpdate(old as unknown as JsonObject | undefined, next as unknown as JsonObject, ownership) as unknown as KubeObject;
  };

  const create: RouteHandlerMethod = async (req, reply) => {
    const q = queryOf(req);
    const { namespace } = paramsOf(req);
    const dryRun = dryRunOf(q);
    const { obj, text, format } = decodeObjectBody(req);
    const o = decodeChecked({ store, reply, mode: fieldValidationOf(q), raw: obj, text, format });
    store.checkTypeMeta(o);
    const warnings = notEnforcedWarnings(store.info, o);
    const created = await store.create(namespace, orderTypeMeta(owned(req, '')(undefined, o)), { dryRun, user: requestUser(req), requester: requesterOf(req) });
    addWarnings(reply, warnings);
    return sendWritten(reply, 201, created);
  };

  const update = (sub: Subresource): RouteHandlerMethod => async (req, reply) => {
    const q = queryOf(req);
    const { namespace, name } = paramsOf(req);
    const dryRun = dryRunOf(q);
    const user = requestUser(req);
    const { obj, text, format } = decodeObjectBody(req);
    const o = decodeChecked({ store, reply, mode: fieldValidationOf(q), raw: obj, text, format });
    store.checkTypeMeta(o);
    if (o.metadata.name && o.metadata.name !== name) throw badRequest(`the name of the object (${o.metadata.name}) does not match the name on the URL (${name})`);
    const snapshot = JSON.stringify(o);
    const own = owned(req, sub);
    let first = true;
    let warnings: string[] = [];
    const compute = (current: KubeObject) => {
      const desired = first ? o : (JSON.parse(snapshot) as KubeObject);
      first = false;
      if (sub === '') warnings = notEnforcedWarnings(store.info, desired, current);
      return own(current, desired);
    };
    const onMissing =
      store.strategy.allowCreateOnUpdate && sub === ''
        ? () => {
            const fresh = JSON.parse(snapshot) as KubeObject;
            delete fresh.metadata.resourceVersion;
            fresh.metadata.name = name;
            warnings = notEnforcedWarnings(store.info, fresh);
            return store.create(namespace, orderTypeMeta(own(undefined, fresh)), { dryRun, user });
          }
        : undefined;
    const res = await store.update(namespace, name, { compute, subresource: sub, dryRun, onMissing, user });
    addWarnings(reply, warnings);
    return sendWritten(reply, res.created ? 201 : 200, res.object);
  };

  const patch = (sub: Subresource): RouteHandlerMethod => async (req, reply) => {
    const q = queryOf(req);
    const { namespace, name } = paramsOf(req);
    const dryRun = dryRunOf(q);
    const user = requestUser(req);
    const fv = fieldValidationOf(q);
    const { type, doc, text } = decodePatch(req);
    if (type === 'apply-patch' && !q.fieldManager) {
      throw invalid({ plural: 'patchoptions', group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
        { reason: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' },
      ]);
    }
    const patchOpts = { kind: store.info.kind, fieldManager: q.fieldManager, force: boolParam(q.force, 'force') ?? false };
    const pinned = patchPinsResourceVersion(type, doc);
    const dupText = type === 'json-patch' ? '' : text;
    // An apply patch may be YAML (kubectl sends JSON, which is YAML too): scan it as what it is.
    const dupFormat = type === 'apply-patch' && !text.trimStart().startsWith('{') ? 'yaml' : 'json';
    let warnings: string[] = [];
    const own = type === 'apply-patch' ? (_old: KubeObject, next: KubeObject) => next : owned(req, sub);
    const compute = (current: KubeObject) => {
      const currentRv = current.metadata.resourceVersion;
      const patched = own(current, decodeChecked({ store, reply, mode: fv, raw: applyPatch(type, current, doc, patchOpts).object, text: dupText, format: dupFormat }));
      store.checkTypeMeta(patched);
      if (sub === '') warnings = notEnforcedWarnings(store.info, patched, current);
      // Unless the patch names a resourceVersion, it applies to whatever is current (and is retried on conflict).
      if (!pinned && patched.metadata.resourceVersion === currentRv) delete patched.metadata.resourceVersion;
      return patched;
    };
    const onMissing =
      type === 'apply-patch' && sub === ''
        ? () => {
            const fresh = decodeChecked({ store, reply, mode: fv, raw: applyPatch(type, undefined, doc, patchOpts).object, text: dupText, format: dupFormat });
            store.checkTypeMeta(fresh);
            if (fresh.metadata.name && fresh.metadata.name !== name) throw badRequest(`the name of the object (${fresh.metadata.name}) does not match the name on the URL (${name})`);
            fresh.metadata.name = name;
            warnings = notEnforcedWarnings(store.info, fresh);
            return store.create(namespace, orderTypeMeta(fresh), { dryRun, user });
          }
        : undefined;
    try {
      const res = await store.update(namespace, name, { compute, subresource: sub, dryRun, onMissing, user });
      addWarnings(reply, warnings);
      return sendWritten(reply, res.created ? 201 : 200, res.object);
    } catch (e) {
      throw fromPatchError(e);
    }
  };

  const del: RouteHandlerMethod = async (req, reply) => {
    const { namespace, name } = paramsOf(req);
    const opts = { ...deleteOptionsOf(req), user: requestUser(req) };
    if (store.key === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) throw forbidden(store.ref, name, 'this namespace may not be deleted');
    const { object, deleted } = await store.delete(namespace, name, opts);
    // Kubernetes answers 202 only when the object stays and orphanDependents=false was asked for.
    if (!deleted && opts.orphanDependents === false) reply.code(202);
    if (deleted && !store.strategy.returnDeletedObject) {
      const d: Record<string, string> = { name };
      if (store.info.group) d.group = store.info.group;
      d.kind = store.info.plural;
      if (object.metadata.uid) d.uid = object.metadata.uid;
      return reply.send(successStatus(undefined, d));
    }
    return reply.send(object);
  };

  const deleteCollection: RouteHandlerMethod = async (req, reply) => {
    const q = queryOf(req);
    const { namespace } = paramsOf(req);
    const opts = { ...deleteOptionsOf(req), user: requestUser(req) };
    const filter = filterOf(store, q);
    const items = await store.deleteCollection(store.namespaced ? namespace : undefined, (o) => {
      if (store.key === 'namespaces' && IMMORTAL_NAMESPACES.has(o.metadata.name!)) return false;
      return filter ? filter(o) : true;
    }, opts);
    return reply.send({ kind: store.info.listKind, apiVersion: store.apiVersion, metadata: { resourceVersion: String(storage.currentRevision()) }, items: items.map(stripTypeMeta) });
  };

  return { get, list, create, update, patch, delete: del, deleteCollection };
}

