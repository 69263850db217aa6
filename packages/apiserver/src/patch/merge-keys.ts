// Which lists merge, and by what key: the patch metadata Kubernetes declares on its Go types
// (`patchStrategy:"merge" patchMergeKey:"..."` in k8s.io/api), read from the object model in
// @skiff/api (the model's `patch` entries, which also become OpenAPI's x-kubernetes-patch-*
// extensions for kubectl). Strategic merge patch and server-side apply both read it.
//
// A list without merge metadata is atomic: a patch replaces it whole. That is the Kubernetes rule
// for, among others, tolerations, node taints, Endpoints subsets (and their addresses and
// ports), container args/command/envFrom, a selector's matchExpressions, Service externalIPs and
// Namespace spec.finalizers, none of which carry a patch strategy in k8s.io/api.
//
// The "retainKeys" strategy (pod volumes, resourceClaims, Deployment spec.strategy) only tells
// kubectl when to send $retainKeys; the server honours $retainKeys wherever it appears.
//
// Service ports are keyed by `port` alone, as strategic merge patch does; server-side apply in
// Kubernetes keys them by (port, protocol), which skiff simplifies to `port` too.

import { modelType, modelTypeIdOf, modelTypeIds, parsePatch, RESOURCES } from '@skiff/api';
/** Patch metadata of one field. */
export interface FieldSchema {
  /**
   * Present for lists that merge. With `mergeKey` the elements are objects matched by that
   * field; without it the elements are primitives merged as a set (finalizers, podCIDRs).
   */
  merge?: { mergeKey?: string };
  /** Metadata of the fields inside this value (for a list: inside each element). */
  fields?: Schema;
}

export type Schema = { readonly [field: string]: FieldSchema };

const schemas = new Map<string, Schema>();
const patchable = new Map<string, boolean>();

/** The element type of a list or map reference, or the reference itself. */
function elementType(ref: string): string {
  let r = ref;
  while (r.startsWith('[]') || r.startsWith('{}')) r = r.slice(2);
  return r;
}

/** Whether a type, or any type below it, has a field with patch metadata. */
function hasPatchMetadata(id: string, visiting = new Set<string>()): boolean {
  const known = patchable.get(id);
  if (known !== undefined) return known;
  const def = modelType(id);
  if (!def || visiting.has(id)) return false;
  visiting.add(id);
  const found = def.patch !== undefined || Object.values(def.props).some((ref) => hasPatchMetadata(elementType(ref), visiting));
  visiting.delete(id);
  patchable.set(id, found);
  return found;
}

/** The patch metadata under a model type: only the paths that lead to a merging list. */
function schemaOfType(id: string): Schema {
  const hit = schemas.get(id);
  if (hit) return hit;
  const out: Record<string, FieldSchema> = {};
  schemas.set(id, out); // before descending: recursive types share the one object
  const def = modelType(id)!;
  for (const [field, ref] of Object.entries(def.props)) {
    const patch = def.patch?.[field] ? parsePatch(def.patch[field]) : undefined;
    const merge = patch?.strategies.includes('merge') ? (patch.mergeKey ? { mergeKey: patch.mergeKey } : {}) : undefined;
    const inner = elementType(ref);
    const fields = modelType(inner) && hasPatchMetadata(inner) ? schemaOfType(inner) : undefined;
    if (merge || fields) out[field] = { ...(merge ? { merge } : {}), ...(fields ? { fields } : {}) };
  }
  return out;
}

/** The model type of a kind named without its group: the served one, else the core group's. */
function typeIdOfKind(kind: string): string | undefined {
  const served = RESOURCES.find((r) => r.kind === kind);
  if (served) return modelTypeIdOf(served);
  const core = modelTypeIdOf({ group: '', version: 'v1', kind });
  return core ?? modelTypeIds().find((id) => modelType(id)!.gvk?.some(([, , k]) => k === kind));
}

const META_ONLY = (): Schema => schemaOfType('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');

/**
 * The patch metadata of a whole object of `kind`. Kinds the model does not know get only the
 * metadata every object shares, so their other lists are replaced, as a JSON merge patch would.
 */
export function schemaForKind(kind: string): Schema {
  const id = typeIdOfKind(kind);
  return id ? schemaOfType(id) : { metadata: { fields: META_ONLY() } };
}

/** The metadata of `field` within `schema`, if any (own keys only: field names are data). */
export function fieldSchema(schema: Schema | undefined, field: string): FieldSchema | undefined {
  return schema !== undefined && Object.hasOwn(schema, field) ? schema[field] : undefined;
}
