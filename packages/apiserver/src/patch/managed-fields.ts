// Field ownership for every write that is not a server-side apply (create, update, the other
// patch types), as Kubernetes' field manager records it: operation "Update", one entry per
// manager (and subresource). The manager is `?fieldManager=` (kubectl sends kubectl-create,
// kubectl-edit, kubectl-replace, kubectl-patch, kubectl-client-side-apply, ...) or, without one,
// the client's User-Agent up to the first "/" (as kube-apiserver derives it).
//
// What an Update changes becomes its manager's: the fields whose value it sets or changes join
// the manager's entry, the fields it removes leave it, and every other manager (Apply managers
// included: an Update takes over without conflict) loses the fields it changed or removed. A
// manager that owns nothing any more leaves the list. Server-side apply then sees these owners
// and answers 409 naming them when it would change their fields (server-side-apply.ts).
import { formatTime } from '@skiff/api';
import { PatchError } from './errors.ts';
import { collectFieldSet, fieldsV1Of, pathOf, toFieldsV1, valueAtPath, type FieldSet } from './field-set.ts';
import { cloneJson, isObject, jsonEqual, type JsonObject } from './json.ts';
import { schemaForKind } from './merge-keys.ts';
import { managedFieldsOf, ownedPart } from './server-side-apply.ts';

export interface UpdateOwnership {
  kind: string;
  manager: string;
  /** The apiVersion the write used (apps/v1). */
  apiVersion: string;
  /** 'status' for writes through the status subresource; '' for the object itself. */
  subresource: string;
  /**
   * The kind has a status subresource: a write of the object never owns status (the server keeps
   * the stored one), and a status write owns nothing else.
   */
  statusSubresource: boolean;
  /** RFC 3339; defaults to now. */
  now?: string;
}

/** The manager of a write: `?fieldManager=`, else the User-Agent's product name; 422 beyond 128 bytes. */
export function managerOf(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager !== undefined && fieldManager !== '') {
    if (Buffer.byteLength(fieldManager) > 128) {
      throw new PatchError('Invalid', 'fieldManager: Too long: may not be more than 128 bytes', [
        { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 128 bytes', field: 'fieldManager' },
      ]);
    }
    return fieldManager;
  }
  const product = (userAgent ?? '').split('/')[0].trim();
  return product.slice(0, 128) || 'unknown';
}

/**
 * `next` with metadata.managedFields brought up to date for an Update by `o.manager` that turned
 * `old` (undefined for a create) into `next`. Entries `next` itself carries (a client that sent
 * managedFields) are the starting point; otherwise `old`'s.
 */
export function recordUpdate(old: JsonObject | undefined, next: JsonObject, o: UpdateOwnership): JsonObject {
  const schema = schemaForKind(o.kind);
  const meta = isObject(next.metadata) ? next.metadata : {};
  const base = Array.isArray(meta.managedFields) ? next : old;
  const entryOf = (fieldsV1: JsonObject): JsonObject => {
    const e: JsonObject = { manager: o.manager, operation: 'Update', apiVersion: o.apiVersion, time: o.now ?? formatTime(), fieldsType: 'FieldsV1', fieldsV1 };
    if (o.subresource) e.subresource = o.subresource;
    return e;
  };
  // A create that brings no managedFields (the common create): the one entry owns every field
  // the object sets, built in one walk.
  if (base === undefined) {
    const fieldsV1 = fieldsV1Of(inScope(ownedPart(next), o), schema);
    const metadata: JsonObject = { ...meta };
    if (Object.keys(fieldsV1).length > 0) metadata.managedFields = [entryOf(fieldsV1)];
    else delete metadata.managedFields;
    return { ...next, metadata };
  }
  const entries = managedFieldsOf(base);

  const fieldsOf = (obj: JsonObject) => collectFieldSet(inScope(ownedPart(obj), o), schema);
  const before = old === undefined ? new Set<string>() : fieldsOf(old);
  const after = fieldsOf(next);
  // Set or changed by this write; removed by it.
  const changed: FieldSet = new Set(
    [...after].filter((k) => {
      if (!before.has(k)) return true;
      const path = pathOf(k);
      return !jsonEqual(valueAtPath(old ?? {}, path), valueAtPath(next, path));
    }),
  );
  const removed: FieldSet = new Set([...before].filter((k) => !after.has(k)));

  // A write that changes no field changes no ownership either (nor the entry's time): a no-op
  // update stays a no-op and keeps its resourceVersion.
  if (changed.size === 0 && removed.size === 0 && old !== undefined) {
    const metadata: JsonObject = { ...meta };
    const baseMeta = base !== undefined && isObject(base.metadata) ? base.metadata : {};
    if (baseMeta.managedFields !== undefined) metadata.managedFields = cloneJson(baseMeta.managedFields);
    else delete metadata.managedFields;
    return { ...next, metadata };
  }

  const sub = o.subresource;
  const isMine = (raw: JsonObject) => raw.manager === o.manager && raw.operation === 'Update' && (raw.subresource ?? '') === sub;
  const previous = entries.find((e) => isMine(e.raw))?.fields ?? new Set<string>();
  const mine = new Set([...previous, ...changed].filter((k) => !removed.has(k) && after.has(k)));

  const out: JsonObject[] = [];
  let placed = false;
  const entry = (): JsonObject => entryOf(toFieldsV1(mine));
  for (const e of entries) {
    if (isMine(e.raw)) {
      if (!placed && mine.size > 0) out.push(entry());
      placed = true;
      continue;
    }
    if (e.fields === undefined) {
      out.push(e.raw);
      continue;
    }
    const kept = new Set([...e.fields].filter((k) => !changed.has(k) && !removed.has(k)));
    if (kept.size === 0) continue;
    out.push(kept.size === e.fields.size ? e.raw : { ...e.raw, fieldsV1: toFieldsV1(kept) });
  }
  if (!placed && mine.size > 0) out.push(entry());

  const metadata: JsonObject = { ...meta };
  if (out.length > 0) metadata.managedFields = cloneJson(out);
  else delete metadata.managedFields;
  return { ...next, metadata };
}

/**
 * The part of an object's owned fields a write can own: with a status subresource, a status
 * write owns only status and any other write everything but status. Cutting the object before
 * collecting its fields, rather than filtering the whole object's fields after, keeps a status
 * write (an agent's or the scheduler's, the commonest writes of a running cluster) from walking
 * the spec twice.
 */
function inScope(owned: JsonObject, o: UpdateOwnership): JsonObject {
  if (!o.statusSubresource) return owned;
  const { status, ...rest } = owned;
  if (o.subresource !== 'status') return rest;
  return status === undefined ? {} : { status };
}
