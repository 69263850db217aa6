// Kubernetes strategic merge patch (Content-Type: application/strategic-merge-patch+json): what
// `kubectl apply` (client-side), `kubectl patch` and `kubectl rollout restart` send.
//
// Like a JSON merge patch, objects merge key by key and null deletes a key. Unlike it, lists named
// in merge-keys.ts merge: elements are matched by their merge key (containers by name, container
// ports by containerPort, ...) and merged recursively; lists of primitives with a merge strategy
// (finalizers) merge as sets. Other lists are replaced. Directives:
//   $patch: replace   in a map: the map becomes the patch's content (minus the directive);
//                     as a list element {"$patch":"replace"}: the list becomes the other elements.
//   $patch: delete    in a map: the key holding the map is removed (Kubernetes leaves `{}`,
//                     which its typed decoding then treats as empty; removing is the JSON
//                     equivalent); as a list element {"name":"x","$patch":"delete"}: elements
//                     with that merge key are removed.
//   $patch: merge     the default; accepted in maps and lists as a no-op (Kubernetes rejects it
//                     there, which helps nobody).
//   $setElementOrder/<list>: [...]   the order of the resulting list (see list-order.ts).
//   $retainKeys: [...]               keys of the live map not listed are removed first; the patch
//                                    may only set listed keys (400 otherwise).
//   $deleteFromPrimitiveList/<list>: [...]  values removed from a primitive list.
// Unknown "$"-prefixed keys are dropped (Kubernetes drops them when decoding into its types).
//
// Where the live object lacks a field, the patch's value is merged into an empty one, so its
// directives are honoured and its nulls dropped there too (kubectl 1.32's own strategic merge
// does the same). strategic-merge-patch.kubectl.test.ts checks these rules against
// `kubectl patch --local`, which runs Kubernetes' implementation.

import { badPatch, PatchError } from './errors.ts';
import { canonicalJson, cloneJson, getOwn, hasOwn, isObject, jsonEqual, preview, setOwn, type JsonObject, type JsonValue } from './json.ts';
import { orderMergedList, type ItemIdentity } from './list-order.ts';
import { fieldSchema, schemaForKind, type FieldSchema, type Schema } from './merge-keys.ts';

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
const RETAIN_KEYS = '$retainKeys';
const PATCH = '$patch';

/** Marks a map removed by `$patch: delete`; the caller drops the key that held it. */
const DELETED = Symbol('deleted');
type Merged<T> = T | typeof DELETED;

/**
 * Applies `patch` to `target`, an object of `kind` (its merge keys come from merge-keys.ts).
 * Inputs are not modified; the result shares no structure with them.
 */
export function applyStrategicMergePatch(target: object, patch: unknown, kind: string): JsonObject {
  if (!isObject(patch)) throw badPatch(`a strategic merge patch must be a JSON object, got ${preview(patch)}`);
  return strategicMerge(isObject(target) ? target : {}, patch, schemaForKind(kind));
}

/** The engine itself, over any schema (server-side apply reuses it). */
export function strategicMerge(target: JsonObject, patch: JsonObject, schema: Schema): JsonObject {
  const merged = mergeMap(target, patch, schema, '');
  return merged === DELETED ? {} : cloneJson(merged);
}

// The functions below never mutate their arguments; unchanged subtrees are shared until the
// final clone above.

function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: Schema | undefined, path: string): Merged<JsonObject> {
  const directive = getOwn(patch, PATCH);
  if (directive === 'replace') {
    const { [PATCH]: _, ...content } = patch;
    return mergeMap(undefined, content, schema, path);
  }
  if (directive === 'delete') return DELETED;
  if (directive !== undefined && directive !== 'merge') {
    throw badPatch(`Unknown patch type: ${preview(directive)} in map: ${preview(patch)}`);
  }

  const out: JsonObject = {};
  for (const k of Object.keys(original ?? {})) setOwn(out, k, (original as JsonObject)[k]);

  if (hasOwn(patch, RETAIN_KEYS)) retainKeys(out, patch, path);

  for (const k of Object.keys(patch)) {
    if (!k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const field = directiveTarget(k, DELETE_FROM_PRIMITIVE_LIST);
    const toDelete = patch[k];
    if (!Array.isArray(toDelete)) throw badPatch(`invalid patch: ${k} must be a list, got ${preview(toDelete)}`);
    const current = getOwn(out, field);
    if (Array.isArray(current)) setOwn(out, field, current.filter((v) => !toDelete.some((d) => jsonEqual(d, v))));
  }

  for (const k of Object.keys(patch)) {
    if (k.startsWith('$')) continue; // directives, handled around this loop
    const value = patch[k];
    if (value === null) {
      delete out[k];
      continue;
    }
    const merged = mergeValue(getOwn(out, k), value, fieldSchema(schema, k), `${path}.${k}`);
    if (merged === DELETED) delete out[k];
    else setOwn(out, k, merged);
  }

  for (const k of Object.keys(patch)) {
    if (k.startsWith(SET_ELEMENT_ORDER)) setElementOrder(out, original, patch, k, schema, path);
  }
  return out;
}

function mergeValue(original: JsonValue | undefined, patch: JsonValue, schema: FieldSchema | undefined, path: string): Merged<JsonValue> {
  if (isObject(patch)) return mergeMap(isObject(original) ? original : undefined, patch, schema?.fields, path);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : undefined, patch, schema, path);
  return patch;
}

function mergeList(original: JsonValue[] | undefined, patch: JsonValue[], schema: FieldSchema | undefined, path: string): JsonValue[] {
  if (schema?.merge === undefined) {
    // An atomic list: replaced whole, its object elements stripped of directives and nulls.
    const out: JsonValue[] = [];
    for (const el of patch) {
      const v = isObject(el) ? mergeMap(undefined, el, schema?.fields, path) : el;
      if (v !== DELETED) out.push(v);
    }
    return out;
  }
  if ([...(original ?? []), ...patch].some(Array.isArray)) {
    throw new PatchError('Invalid', `lists of lists are not supported (at ${path || '.'})`);
  }

  const mergeKey = schema.merge.mergeKey;
  let base = [...(original ?? [])];
  const items: JsonValue[] = [];
  let replace = false;
  for (const el of patch) {
    const directive = isObject(el) ? getOwn(el, PATCH) : undefined;
    if (directive === undefined) {
      items.push(el);
    } else if (directive === 'delete' && mergeKey !== undefined) {
      const key = mergeKeyOf(el as JsonObject, mergeKey);
      base = base.filter((o) => !(isObject(o) && hasOwn(o, mergeKey) && jsonEqual(o[mergeKey], key)));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive !== 'merge') {
      throw badPatch(`Unknown patch type: ${preview(directive)} in list element ${preview(el)} at ${path}`);
    }
  }
  if (replace) base = [];

  if (mergeKey === undefined) {
    // A set of primitives: the union, without duplicates (Kubernetes dedups the live part too).
    for (const el of items) {
      if (isObject(el)) throw badPatch(`list element types are not identical in ${path}: ${preview(patch)}`);
    }
    base = [...base, ...items].filter((v, i, all) => all.findIndex((w) => jsonEqual(v, w)) === i);
  } else {
    for (const el of items) {
      if (!isObject(el)) throw badPatch(`list element ${preview(el)} at ${path} is not an object with merge key ${mergeKey}`);
      const key = mergeKeyOf(el, mergeKey);
      const i = base.findIndex((o) => isObject(o) && hasOwn(o, mergeKey) && jsonEqual(o[mergeKey], key));
      const merged = mergeMap(i >= 0 ? (base[i] as JsonObject) : undefined, el, schema.fields, `${path}[${mergeKey}=${preview(key)}]`);
      if (merged === DELETED) {
        if (i >= 0) base.splice(i, 1);
      } else if (i >= 0) {
        base[i] = merged;
      } else {
        base.push(merged);
      }
    }
  }
  return orderMergedList(base, items, original ?? [], identityOf(mergeKey));
}

function mergeKeyOf(el: JsonObject, mergeKey: string): JsonValue {
  if (!hasOwn(el, mergeKey)) throw badPatch(`map: ${preview(el)} does not contain declared merge key: ${mergeKey}`);
  return el[mergeKey];
}

function identityOf(mergeKey: string | undefined): ItemIdentity {
  if (mergeKey === undefined) return (item) => canonicalJson(item);
  return (item) => (isObject(item) && hasOwn(item, mergeKey) ? canonicalJson(item[mergeKey]) : undefined);
}

function directiveTarget(key: string, prefix: string): string {
  const field = key.slice(prefix.length);
  if (field === '') throw badPatch(`invalid patch directive ${JSON.stringify(key)}: no field named`);
  return field;
}

/** Applies `$retainKeys` to `out` (the live map being merged), validating the patch against it. */
function retainKeys(out: JsonObject, patch: JsonObject, path: string): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) {
    throw badPatch(`invalid patch: $retainKeys must be a list of field names at ${path || '.'}`);
  }
  const kept = new Set(keep as string[]);
  for (const k of Object.keys(patch)) {
    if (k.startsWith('$') || patch[k] === null) continue;
    if (!kept.has(k)) throw badPatch(`invalid patch: ${path}.${k} is set but not listed in $retainKeys ${preview(keep)}`);
  }
  for (const k of Object.keys(out)) if (!kept.has(k)) delete out[k];
}

/** Reorders `out[field]` per `$setElementOrder/<field>`, after checking the patch list agrees. */
function setElementOrder(out: JsonObject, original: JsonObject | undefined, patch: JsonObject, key: string, schema: Schema | undefined, path: string): void {
  const field = directiveTarget(key, SET_ELEMENT_ORDER);
  const order = patch[key];
  if (!Array.isArray(order)) throw badPatch(`invalid patch: ${key} must be a list, got ${preview(order)}`);
  const mergeKey = fieldSchema(schema, field)?.merge?.mergeKey;
  const identity = identityOf(mergeKey);
  const orderIds = order.map(identity);
  if (orderIds.includes(undefined)) throw badPatch(`invalid patch: every item of ${key} needs the merge key ${mergeKey}`);

  // Items of the patch list must appear in the same relative order in $setElementOrder.
  const patchList = getOwn(patch, field);
  if (Array.isArray(patchList)) {
    let j = 0;
    for (const item of patchList) {
      if (isObject(item) && hasOwn(item, PATCH)) continue;
      const id = identity(item);
      while (j < orderIds.length && orderIds[j] !== id) j++;
      if (j === orderIds.length) {
        throw badPatch(`invalid patch: the order in patch list ${preview(patchList)} doesn't match ${key} ${preview(order)}`);
      }
      j++;
    }
  }

  const merged = getOwn(out, field);
  if (!Array.isArray(merged)) return;
  const live = original === undefined ? undefined : getOwn(original, field);
  setOwn(out, field, orderMergedList(merged, order, Array.isArray(live) ? live : [], identity));
}
