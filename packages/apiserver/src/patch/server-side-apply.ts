// Server-side apply (Content-Type: application/apply-patch+yaml), as `kubectl apply
// --server-side` sends it: the body is the caller's whole intended configuration (kubectl sends
// JSON, which is YAML too).
//
// What this does:
// - Creates the object when there is none (`created: true`, so the route answers 201).
// - Otherwise merges the configuration into the live object with the strategic-merge engine and
//   the merge keys of merge-keys.ts: maps merge, keyed lists merge element by element, set-like
//   primitive lists (finalizers) take the union, other lists and scalars are replaced. null in
//   the configuration removes the field and claims nothing.
// - Records ownership in metadata.managedFields as Kubernetes does: one entry per manager and
//   operation, `{manager, operation: "Apply", apiVersion, time, fieldsType: "FieldsV1",
//   fieldsV1}`, where fieldsV1 lists the leaf fields the configuration sets (see field-set.ts).
//   apiVersion, kind and server-set metadata (name, namespace, uid, resourceVersion, ...) are not
//   owned by anyone.
// - Conflicts: a field is in conflict when another manager (Apply, or Update: every write records
//   its manager, see managed-fields.ts) owns it and this configuration gives it a different value
//   than the live one. Without force the
//   whole apply fails with a 409 PatchError listing every conflict (reason
//   FieldManagerConflict, field like `.spec.replicas`, message naming the other manager); with
//   force it proceeds and the other managers lose those fields.
// - A field whose value this apply changes also leaves the entry of any other manager (Apply or
//   Update) that listed it, so ownership stays truthful. Two managers that apply the same value
//   share the field.
// - Removal: fields this manager applied last time, omits now, and no other manager owns (even
//   partly: a keyed element another manager has a field in stays) are removed from the object.
//   That is how dropping a container port or an env var from the file removes it from the object.
//
// What it does not do:
// - Kubernetes' own list keys for apply (Service ports by port+protocol, container ports by
//   containerPort+protocol): skiff uses the strategic-merge keys for both.
// - Type-aware validation or defaulting of the configuration; unknown fields are merged as given.
// - Strategic-merge directives: a "$..." key in the configuration is a 400.

import { formatTime } from '@skiff/api';
import { badPatch, PatchError, type PatchErrorCause } from './errors.ts';
import {
  collectFieldSet, coveredPaths, formatPath, fromFieldsV1, pathOf, removePath, toFieldsV1, valueAtPath,
  type FieldSet,
} from './field-set.ts';
import { cloneJson, getOwn, isObject, jsonEqual, preview, type JsonObject, type JsonValue } from './json.ts';
import { schemaForKind } from './merge-keys.ts';
import { strategicMerge } from './strategic-merge-patch.ts';

export interface ServerSideApplyOptions {
  /** The object's kind; selects the merge keys. */
  kind: string;
  /** `?fieldManager=`: required for apply, at most 128 characters (as in Kubernetes). */
  fieldManager: string;
  /** `?force=true`: take conflicting fields from their other managers instead of failing. */
  force?: boolean;
  /** RFC 3339 time for the managedFields entry; defaults to now (whole seconds, as Kubernetes). */
  now?: string;
}

export interface ServerSideApplyResult {
  object: JsonObject;
  /** True when there was no live object: the route answers 201 Created. */
  created: boolean;
}

/** Metadata the server sets: part of no manager's fields, never merged from a configuration. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields'];

export function applyServerSideApply(live: object | undefined, applied: unknown, options: ServerSideApplyOptions): ServerSideApplyResult {
  const { kind, fieldManager, force = false } = options;
  const config = validateConfig(applied, fieldManager);
  const schema = schemaForKind(kind);
  const now = options.now ?? formatTime();
  const liveObject: JsonObject | undefined = isObject(live) ? (live as JsonObject) : undefined;

  const owned = collectFieldSet(ownedPart(config), schema);
  const entries = managedFieldsOf(liveObject);
  const isMine = (e: ManagedEntry) => e.manager === fieldManager && e.operation === 'Apply';

  if (liveObject !== undefined) checkPreconditions(liveObject, config);

  // Fields whose value this configuration changes, compared with the live object. Keyed-list
  // elements and set members are presence, not values: they never change, only appear.
  const base: JsonObject = liveObject ?? {};
  const changed = new Set([...owned].filter((key) => {
    const path = pathOf(key);
    return path[path.length - 1].startsWith('f:') && !jsonEqual(valueAtPath(base, path), valueAtPath(config, path));
  }));

  // Every other manager's fields conflict, Update managers' too (kubectl edit, create, controllers), as in Kubernetes.
  if (!force) throwConflicts(entries.filter((e) => !isMine(e)), changed, liveObject);

  const { managedFields: _ignored, ...liveMetadata } = isObject(base.metadata) ? base.metadata : {};
  const merged = strategicMerge({ ...base, metadata: liveMetadata }, withoutServerMetadata(config), schema);

  // Remove what this manager applied before and nobody claims now (shortest paths first, so a
  // removed element takes its fields with it).
  const previous = entries.find(isMine)?.fields ?? new Set<string>();
  const stillClaimed = coveredPaths(new Set([...owned, ...entries.filter((e) => !isMine(e)).flatMap((e) => [...(e.fields ?? [])])]));
  [...previous]
    .filter((key) => !stillClaimed.has(key))
    .map(pathOf)
    .sort((a, b) => a.length - b.length)
    .forEach((path) => removePath(merged, path));

  const apiVersion = config.apiVersion as string;
  const nextEntries: JsonObject[] = [];
  let mine: JsonObject | undefined = { manager: fieldManager, operation: 'Apply', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(owned) };
  for (const e of entries) {
    if (isMine(e)) {
      if (mine !== undefined) nextEntries.push(mine); // keep the entry's place
      mine = undefined;
      continue;
    }
    if (e.fields === undefined) {
      nextEntries.push(e.raw); // not FieldsV1: not ours to rewrite
      continue;
    }
    const kept = new Set([...e.fields].filter((key) => !changed.has(key)));
    if (kept.size === 0) continue; // a manager that owns nothing leaves the list
    nextEntries.push(kept.size === e.fields.size ? e.raw : { ...e.raw, fieldsV1: toFieldsV1(kept) });
  }
  if (mine !== undefined) nextEntries.push(mine);

  const metadata = isObject(merged.metadata) ? merged.metadata : {};
  return { object: { ...merged, metadata: { ...metadata, managedFields: cloneJson(nextEntries) } }, created: liveObject === undefined };
}

function validateConfig(applied: unknown, fieldManager: string): JsonObject {
  if (typeof fieldManager !== 'string' || fieldManager === '') {
    throw new PatchError('Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', [
      { reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' },
    ]);
  }
  if (fieldManager.length > 128) {
    throw new PatchError('Invalid', `fieldManager: Too long: may not be more than 128 bytes`, [
      { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 128 bytes', field: 'fieldManager' },
    ]);
  }
  if (!isObject(applied)) throw badPatch(`error decoding YAML: an apply configuration must be an object, got ${preview(applied)}`);
  for (const field of ['apiVersion', 'kind']) {
    if (typeof applied[field] !== 'string' || applied[field] === '') throw badPatch(`${field} must be set in an apply configuration`);
  }
  const metadata = getOwn(applied, 'metadata');
  if (isObject(metadata) && getOwn(metadata, 'managedFields') !== undefined && metadata.managedFields !== null) {
    throw badPatch('metadata.managedFields must be nil');
  }
  rejectDirectives(applied, '');
  return applied;
}

function rejectDirectives(value: JsonValue, path: string): void {
  if (Array.isArray(value)) value.forEach((el, i) => rejectDirectives(el, `${path}[${i}]`));
  if (!isObject(value)) return;
  for (const k of Object.keys(value)) {
    if (k.startsWith('$')) throw badPatch(`server-side apply takes no patch directives: ${k} at ${path || '.'}`);
    rejectDirectives(value[k], `${path}.${k}`);
  }
}

/**
 * Kubernetes treats metadata.resourceVersion and metadata.uid in an apply configuration as
 * preconditions: 409 Conflict when they do not match the live object.
 */
function checkPreconditions(live: JsonObject, config: JsonObject): void {
  const want = getOwn(config, 'metadata');
  const have = getOwn(live, 'metadata');
  if (!isObject(want)) return;
  for (const field of ['resourceVersion', 'uid']) {
    const expected = getOwn(want, field);
    if (expected === undefined || expected === null || expected === '') continue;
    if (!isObject(have) || getOwn(have, field) !== expected) {
      throw new PatchError('Conflict', `Operation cannot be fulfilled: the object has been modified (metadata.${field} is not ${preview(expected)}); please apply your changes to the latest version and try again`);
    }
  }
}

/** The configuration without the metadata only the server sets (it must not overwrite it). */
function withoutServerMetadata(config: JsonObject): JsonObject {
  const metadata = getOwn(config, 'metadata');
  if (!isObject(metadata)) return config;
  const kept: JsonObject = { ...metadata };
  for (const k of SERVER_METADATA) delete kept[k];
  return { ...config, metadata: kept };
}

/** The configuration minus what nobody owns (type and identity fields, server metadata). */
export function ownedPart(config: JsonObject): JsonObject {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = config;
  if (!isObject(metadata)) return rest;
  const { name: _n, namespace: _ns, ...ownedMetadata } = metadata;
  for (const k of SERVER_METADATA) delete ownedMetadata[k];
  return Object.keys(ownedMetadata).length > 0 ? { ...rest, metadata: ownedMetadata } : rest;
}

export interface ManagedEntry {
  manager: string | undefined;
  operation: string | undefined;
  apiVersion: string | undefined;
  /** Undefined when the entry has no FieldsV1 this module can read. */
  fields: FieldSet | undefined;
  raw: JsonObject;
}

export function managedFieldsOf(live: JsonObject | undefined): ManagedEntry[] {
  const metadata = live === undefined ? undefined : getOwn(live, 'metadata');
  const list = isObject(metadata) ? getOwn(metadata, 'managedFields') : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((raw) => ({
    manager: typeof raw.manager === 'string' ? raw.manager : undefined,
    operation: typeof raw.operation === 'string' ? raw.operation : undefined,
    apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : undefined,
    fields: (raw.fieldsType ?? 'FieldsV1') === 'FieldsV1' && isObject(raw.fieldsV1) ? fromFieldsV1(raw.fieldsV1) : undefined,
    raw,
  }));
}

function throwConflicts(others: ManagedEntry[], changed: FieldSet, live: JsonObject | undefined): void {
  if (live === undefined) return;
  const causes: PatchErrorCause[] = [];
  for (const e of others) {
    for (const key of [...(e.fields ?? [])]) {
      if (!changed.has(key)) continue;
      causes.push({
        reason: 'FieldManagerConflict',
        message: `conflict with ${JSON.stringify(e.manager ?? '')}${e.apiVersion ? ` using ${e.apiVersion}` : ''}`,
        field: formatPath(pathOf(key)),
      });
    }
  }
  if (causes.length === 0) return;
  const n = causes.length;
  const lines = causes.map((c) => `${c.message}: ${c.field}`).join('\n');
  throw new PatchError('Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${lines}`, causes);
}
