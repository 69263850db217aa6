// Subresources other than status: scale (deployments, replicasets, replicationcontrollers),
// pods/binding (the scheduler's atomic assignment), pods/eviction (./eviction.ts), and pods/log + pods/exec (served by the node
// agent; see ./node-proxy.ts for the contract).
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { formatTime, type KubeObject } from '@skiff/api';
import { badRequest, conflict, invalid, successStatus } from '../errors/status.ts';
import { decodeObjectBody } from '../http/body.ts';
import { unpinned, type ResourceStore } from '../registry/store.ts';
import { formatSelector } from '../registry/selectors.ts';
import { applyPatch } from '../patch/index.ts';
import type { ServerContext } from './context.ts';
import { dryRunOf, queryOf } from './query.ts';
import { boolParam } from './bool-param.ts';
import { decodePatch, fromPatchError, methodNotAllowedFor, paramsOf } from './common.ts';
import { serveLogs, serveUpgradeOnly } from './node-proxy.ts';
import { tokenRequestHandler } from './token-request.ts';
import { evictionHandler } from './eviction.ts';

const SCALE_REF = { plural: 'scales', group: 'autoscaling', kind: 'Scale' };

export function registerSubresourceRoutes(app: FastifyInstance, ctx: ServerContext, store: ResourceStore, item: string): void {
  const subs = store.info.subresources;
  const route = (method: string, url: string, sub: string, verb: string, handler: RouteHandlerMethod) =>
    app.route({ method: method as any, url, handler, config: { resource: `${store.key}/${sub}`, verb } });
  if (subs.includes('scale')) {
    const s = scaleHandlers(store);
    route('GET', `${item}/scale`, 'scale', 'get', s.get);
    route('PUT', `${item}/scale`, 'scale', 'update', s.put);
    route('PATCH', `${item}/scale`, 'scale', 'patch', s.patch);
    methodNotAllowedFor(app, `${item}/scale`, ['GET', 'PUT', 'PATCH']);
  }
  if (subs.includes('binding')) {
    route('POST', `${item}/binding`, 'binding', 'create', bindingHandler(store));
    methodNotAllowedFor(app, `${item}/binding`, ['POST']);
  }
  if (subs.includes('eviction')) {
    route('POST', `${item}/eviction`, 'eviction', 'create', evictionHandler(ctx, store));
    methodNotAllowedFor(app, `${item}/eviction`, ['POST']);
  }
  if (subs.includes('log')) {
    route('GET', `${item}/log`, 'log', 'get', (req, reply) => serveLogs(ctx, store, req, reply));
    methodNotAllowedFor(app, `${item}/log`, ['GET']);
  }
  if (subs.includes('token')) {
    route('POST', `${item}/token`, 'token', 'create', tokenRequestHandler(ctx, store));
    methodNotAllowedFor(app, `${item}/token`, ['POST']);
  }
  for (const sub of ['exec', 'attach', 'portforward'] as const) {
    if (!subs.includes(sub)) continue;
    route('GET', `${item}/${sub}`, sub, 'get', (req) => serveUpgradeOnly(ctx, store, req, sub));
    route('POST', `${item}/${sub}`, sub, 'create', (req) => serveUpgradeOnly(ctx, store, req, sub));
  }
}

/** The autoscaling/v1 Scale view of a workload. */
export function scaleOf(o: KubeObject): KubeObject {
  const m = o.metadata;
  const metadata: Record<string, unknown> = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: formatSelector(o.spec?.selector) },
  };
}

function scaleHandlers(store: ResourceStore) {
  /** Writes `scale.spec.replicas` into the workload; a Scale resourceVersion is a precondition. */
  const write = async (req: FastifyRequest, name: string, namespace: string, next: (currentScale: KubeObject) => KubeObject) => {
    const dryRun = dryRunOf(queryOf(req));
    const compute = (current: KubeObject): KubeObject => {
      const scale = next(scaleOf(current));
      if ((scale.kind && scale.kind !== 'Scale') || (scale.apiVersion && scale.apiVersion !== 'autoscaling/v1')) {
        throw badRequest(`${scale.kind || 'object'} in version "${scale.apiVersion || ''}" cannot be handled as a Scale`);
      }
      if (scale.metadata?.name && scale.metadata.name !== name) throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
      const replicas = scale.spec?.replicas;
      if (replicas === undefined || replicas === null) throw invalid(SCALE_REF, name, [{ reason: 'FieldValueRequired', field: 'spec.replicas', message: 'Required value' }]);
      if (typeof replicas !== 'number' || !Number.isInteger(replicas))
        throw invalid(SCALE_REF, name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be an integer` }]);
      if (replicas < 0)
        throw invalid(SCALE_REF, name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` }]);
      const rv = scale.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(store.ref, name);
      const desired: KubeObject = { ...current, metadata: { ...current.metadata }, spec: { ...current.spec, replicas } };
      delete desired.metadata.resourceVersion;
      return desired;
    };
    const res = await store.update(namespace, name, { compute, subresource: '', dryRun });
    return scaleOf(res.object);
  };

  const get: RouteHandlerMethod = async (req, reply) => {
    const { namespace, name } = paramsOf(req);
    return reply.send(scaleOf(await store.get(namespace, name)));
  };
  const put: RouteHandlerMethod = async (req, reply) => {
    const { namespace, name } = paramsOf(req);
    const { obj } = decodeObjectBody(req);
    const body = obj as KubeObject;
    if (!body.metadata) body.metadata = {};
    return reply.send(await write(req, name, namespace, () => structuredClone(body)));
  };
  const patch: RouteHandlerMethod = async (req, reply) => {
    const { namespace, name } = paramsOf(req);
    const { type, doc } = decodePatch(req);
    try {
      return reply.send(
        await write(req, name, namespace, (scale) => {
          const patched = applyPatch(type, scale, doc, { kind: 'Scale', fieldManager: queryOf(req).fieldManager, force: boolParam(queryOf(req).force, 'force') ?? false }).object as KubeObject;
          // A patch that leaves the version alone applies to whatever is current.
          if (patched.metadata?.resourceVersion === scale.metadata.resourceVersion) delete patched.metadata.resourceVersion;
          return patched;
        }),
      );
    } catch (e) {
      throw fromPatchError(e);
    }
  };
  return { get, put, patch };
}

/**
 * POST pods/<name>/binding: sets spec.nodeName atomically (409 when already assigned) and the
 * PodScheduled condition, as kube-apiserver's BindingREST does. Answers 201 with a Success Status.
 */
function bindingHandler(store: ResourceStore): RouteHandlerMethod {
  return async (req, reply) => {
    const { namespace, name } = paramsOf(req);
    const dryRun = dryRunOf(queryOf(req));
    const { obj } = decodeObjectBody(req);
    const b = obj as { kind?: string; apiVersion?: string; metadata?: { name?: string; namespace?: string }; target?: { kind?: string; name?: string } };
    if ((b.kind && b.kind !== 'Binding') || (b.apiVersion && b.apiVersion !== 'v1')) throw badRequest(`${b.kind} in version "${b.apiVersion}" cannot be handled as a Binding`);
    if (b.metadata?.name && b.metadata.name !== name) throw badRequest(`name in URL does not match name in Binding object`);
    if (b.metadata?.namespace && b.metadata.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const ref = { plural: 'bindings', group: '', kind: 'Binding' };
    const target = b.target;
    if (!target || !target.name) throw invalid(ref, name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    if (target.kind && target.kind !== 'Node') throw invalid(ref, name, [{ reason: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${target.kind}": supported values: "Node"` }]);
    const bindingRef = { plural: 'pods/binding', group: '' };
    const bind = (pod: KubeObject): KubeObject => {
      if (pod.metadata.deletionTimestamp) throw conflict(bindingRef, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw conflict(bindingRef, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      const conditions = ((pod.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatTime() } as never);
      return unpinned({ ...pod, spec: { ...pod.spec, nodeName: target.name }, status: { ...(pod.status ?? {}), conditions } });
    };
    await store.update(namespace, name, { compute: bind, subresource: 'raw', dryRun });
    return reply.code(201).send(successStatus(201));
  };
}

