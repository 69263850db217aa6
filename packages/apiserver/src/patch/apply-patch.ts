// The one entry point PATCH routes call: decode the body for its patch type, run the right
// engine, and hand back the new object. Every failure is a PatchError carrying its HTTP status.

import { parse as parseYaml } from 'yaml';
import { badPatch, PatchError, unappliable } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { isObject, preview, type JsonObject, type JsonValue } from './json.ts';
import { applyMergePatch } from './merge-patch.ts';
import type { PatchType } from './patch-type.ts';
import { applyServerSideApply } from './server-side-apply.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export interface ApplyPatchOptions {
  /** The object's kind (selects strategic merge keys). */
  kind: string;
  /** `?fieldManager=`; required for apply-patch. */
  fieldManager?: string;
  /** `?force=true`; apply-patch only. */
  force?: boolean;
  /** Time for managedFields (apply-patch only); defaults to now. */
  now?: string;
}

export interface PatchResult {
  object: JsonObject;
  /** True only for an apply-patch that created the object: answer 201 Created. */
  created: boolean;
}

/**
 * Applies `body` to `target` (undefined when the object does not exist; only apply-patch may
 * then create it). `body` is either the raw request body (string or bytes: parsed here, JSON or,
 * for apply-patch, YAML) or an already parsed JSON value.
 */
export function applyPatch(patchType: PatchType, target: object | undefined, body: unknown, options: ApplyPatchOptions): PatchResult {
  const patch = decodeBody(patchType, body);
  if (patchType === 'apply-patch') {
    return applyServerSideApply(target, patch, {
      kind: options.kind,
      fieldManager: options.fieldManager ?? '',
      force: options.force,
      now: options.now,
    });
  }
  if (target === undefined) throw new PatchError('NotFound', `the ${options.kind} to patch does not exist`);
  switch (patchType) {
    case 'json-patch':
      return { object: expectObject(applyJsonPatch(target, patch)), created: false };
    case 'merge-patch':
      // RFC 7386 lets a non-object patch replace the document; for an API object that can only
      // be a mistake, and Kubernetes rejects it as a bad patch.
      if (!isObject(patch)) throw badPatch(`a merge patch must be a JSON object, got ${preview(patch)}`);
      return { object: expectObject(applyMergePatch(target, patch)), created: false };
    case 'strategic-merge-patch':
      return { object: applyStrategicMergePatch(target, patch, options.kind), created: false };
  }
}

function decodeBody(patchType: PatchType, body: unknown): JsonValue {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body as JsonValue;
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  if (patchType === 'apply-patch') {
    try {
      return parseYaml(text) as JsonValue;
    } catch (e) {
      throw badPatch(`error decoding YAML: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw badPatch(`error decoding patch: ${(e as Error).message}`);
  }
}

function expectObject(v: JsonValue): JsonObject {
  if (!isObject(v)) throw unappliable(`the patched document must be a JSON object, got ${preview(v)}`);
  return v;
}
