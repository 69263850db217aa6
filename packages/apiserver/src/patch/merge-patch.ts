// RFC 7386 JSON merge patch (Content-Type: application/merge-patch+json), as `kubectl patch
// --type=merge` and `kubectl scale` send it. An object patch merges key by key, recursively;
// null removes a key; anything else (arrays included) replaces the target value whole.

import { cloneJson, getOwn, isObject, setOwn, type JsonObject, type JsonValue } from './json.ts';

/** Returns the patched value; neither input is modified and the result shares nothing with them. */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  if (!isObject(patch)) return cloneJson(patch as JsonValue);
  // A non-object target is discarded: the RFC merges an object patch into `{}` then.
  const base = isObject(target) ? target : {};
  const out: JsonObject = {};
  for (const k of Object.keys(base)) {
    if (!Object.hasOwn(patch, k)) setOwn(out, k, cloneJson(base[k]));
  }
  for (const k of Object.keys(patch)) {
    const p = patch[k];
    if (p === null) continue; // null deletes (and a null for an absent key is simply dropped)
    setOwn(out, k, applyMergePatch(getOwn(base, k), p));
  }
  return out;
}
