// POST pods/NAME/eviction: decodes the policy/v1 (or v1beta1) Eviction — JSON, YAML, or the
// protobuf `kubectl drain` sends — and hands it to registry/eviction.ts. Answers 201 with a
// Success Status once the pod is deleted (or marked for graceful deletion).
import type { RouteHandlerMethod } from 'fastify';
import type { DeleteOptions } from '@skiff/api';
import { badRequest, notFoundPath } from '../errors/status.ts';
import { decodeObjectBody } from '../http/body.ts';
import { evictPod } from '../registry/eviction.ts';
import type { ResourceStore } from '../registry/store.ts';
import { successStatus } from '../errors/status.ts';
import type { ServerContext } from './context.ts';
import { paramsOf } from './common.ts';
import { deleteOptionsFrom, dryRunOf, queryOf } from './query.ts';

const EVICTION_VERSIONS = new Set(['policy/v1', 'policy/v1beta1']);

interface EvictionBody {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown } | null;
  deleteOptions?: DeleteOptions | null;
}

export function evictionHandler(ctx: ServerContext, pods: ResourceStore): RouteHandlerMethod {
  return async (req, reply) => {
    const budgets = ctx.stores.get('policy/poddisruptionbudgets');
    if (!budgets) throw notFoundPath();
    const { namespace, name } = paramsOf(req);
    const b = decodeObjectBody(req).obj as EvictionBody;
    if ((b.kind !== undefined && b.kind !== 'Eviction') || (b.apiVersion !== undefined && !EVICTION_VERSIONS.has(String(b.apiVersion)))) {
      throw badRequest(`${String(b.kind ?? '')} in version "${String(b.apiVersion ?? '')}" cannot be handled as a Eviction: expected apiVersion "policy/v1" and kind "Eviction"`);
    }
    const meta = b.metadata && typeof b.metadata === 'object' ? b.metadata : {};
    if (meta.name !== name) throw badRequest('name in URL does not match name in Eviction object');
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    const raw = b.deleteOptions ?? {};
    if (typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('deleteOptions must be an object');
    const deleteOptions = deleteOptionsFrom(raw, {});
    // propagateDryRun: the request's dryRun and the body's must agree when both are given.
    const q = queryOf(req);
    if (q.dryRun !== undefined) {
      const queryDry = dryRunOf(q);
      if (Array.isArray(raw.dryRun) && raw.dryRun.length > 0 && raw.dryRun.includes('All') !== queryDry) {
        throw badRequest(`Non-matching dry-run options in request and content: [${queryDry ? 'All' : ''}] and [${(raw.dryRun as string[]).join(' ')}]`);
      }
      deleteOptions.dryRun = deleteOptions.dryRun || queryDry;
    }
    await evictPod({ pods, budgets, namespace, name, deleteOptions });
    return reply.code(201).send(successStatus(201));
  };
}
