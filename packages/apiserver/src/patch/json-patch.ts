// RFC 6902 JSON patch (Content-Type: application/json-patch+json), as `kubectl patch
// --type=json`, `kubectl rollout undo` and client-node's patch helpers send it.
//
// Operations apply in order, each to the result of the previous one; any failure rejects the
// whole patch. Status codes follow Kubernetes (see errors.ts): a body that is not an array of
// objects is 400; an operation that cannot be applied (unknown op, missing or mistyped member,
// a path that does not exist, a failed test) is 422; more than 10000 operations is 413.
// Deliberately not supported: evanphx/json-patch's negative array indices (not in the RFC).
// One leniency shared with Kubernetes: replace of a missing object member adds it.

import { badPatch, PatchError, unappliable } from './errors.ts';
import { arrayIndex, parsePointer } from './json-pointer.ts';
import { cloneJson, hasOwn, isObject, jsonEqual, preview, setOwn, type JsonObject, type JsonValue } from './json.ts';

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** The same limit as the Kubernetes API server (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Returns the patched document; neither input is modified and the result shares nothing with them. */
export function applyJsonPatch(target: unknown, ops: unknown): JsonValue {
  if (!Array.isArray(ops)) throw badPatch(`a JSON patch must be an array of operations, got ${preview(ops)}`);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchError(
      'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  ops.forEach((op, i) => {
    if (!isObject(op)) throw badPatch(`JSON patch operation ${i} is not an object: ${preview(op)}`);
  });
  // One deep copy up front; the operations then edit the copy in place.
  let doc = cloneJson(target as JsonValue);
  for (const op of ops as JsonObject[]) doc = applyOperation(doc, op);
  return doc;
}

function applyOperation(doc: JsonValue, op: JsonObject): JsonValue {
  const kind = op.op;
  const path = stringMember(op, 'path');
  switch (kind) {
    case 'add':
      return add(doc, path, cloneJson(valueMember(op)));
    case 'remove':
      return remove(doc, path);
    case 'replace':
      return replace(doc, path, cloneJson(valueMember(op)));
    case 'move': {
      const from = stringMember(op, 'from');
      if (from === path) return doc;
      if (path.startsWith(`${from}/`)) {
        throw unappliable(`move operation does not apply: cannot move ${from} into its own child ${path}`);
      }
      const value = get(doc, from, 'move');
      return add(remove(doc, from), path, value);
    }
    case 'copy': {
      const from = stringMember(op, 'from');
      return add(doc, path, cloneJson(get(doc, from, 'copy')));
    }
    case 'test': {
      const actual = get(doc, path, 'test');
      if (!jsonEqual(actual, valueMember(op))) {
        throw unappliable(`test operation failed: value at ${path} is ${preview(actual)}, not ${preview(op.value)}`);
      }
      return doc;
    }
    default:
      throw unappliable(`unexpected JSON patch operation ${preview(kind)} (want add, remove, replace, move, copy or test)`);
  }
}

function stringMember(op: JsonObject, name: 'path' | 'from'): string {
  const v = hasOwn(op, name) ? op[name] : undefined;
  if (typeof v !== 'string') throw unappliable(`${preview(op.op)} operation has no string "${name}": ${preview(op)}`);
  return v;
}

function valueMember(op: JsonObject): JsonValue {
  // "value": null is a legitimate value; only a missing member is an error.
  if (!hasOwn(op, 'value')) throw unappliable(`${preview(op.op)} operation has no "value": ${preview(op)}`);
  return op.value;
}

/** The container holding the last token of `path`, and that token. */
function locate(doc: JsonValue, path: string, opName: string): { parent: JsonObject | JsonValue[]; token: string } {
  const tokens = parsePointer(path);
  const token = tokens.pop() as string;
  let node: JsonValue = doc;
  for (const t of tokens) {
    const next = child(node, t);
    if (next === undefined) throw missing(opName, path);
    node = next;
  }
  if (!isObject(node) && !Array.isArray(node)) throw missing(opName, path);
  return { parent: node, token };
}

function child(node: JsonValue, token: string): JsonValue | undefined {
  if (Array.isArray(node)) {
    const i = arrayIndex(token, node.length, false);
    return i === undefined ? undefined : node[i];
  }
  if (isObject(node) && hasOwn(node, token)) return node[token];
  return undefined;
}

function get(doc: JsonValue, path: string, opName: string): JsonValue {
  let node: JsonValue = doc;
  for (const t of parsePointer(path)) {
    const next = child(node, t);
    if (next === undefined) throw missing(opName, path);
    node = next;
  }
  return node;
}

function add(doc: JsonValue, path: string, value: JsonValue): JsonValue {
  if (path === '') return value; // adding at the root replaces the document
  const { parent, token } = locate(doc, path, 'add');
  if (Array.isArray(parent)) {
    const i = arrayIndex(token, parent.length, true);
    if (i === undefined) throw unappliable(`add operation does not apply: index ${token} is out of range in ${path}`);
    parent.splice(i, 0, value);
  } else {
    setOwn(parent, token, value);
  }
  return doc;
}

function remove(doc: JsonValue, path: string): JsonValue {
  if (path === '') throw unappliable('remove operation does not apply: cannot remove the whole document');
  const { parent, token } = locate(doc, path, 'remove');
  if (Array.isArray(parent)) {
    const i = arrayIndex(token, parent.length, false);
    if (i === undefined) throw missing('remove', path);
    parent.splice(i, 1);
  } else {
    if (!hasOwn(parent, token)) throw missing('remove', path);
    delete parent[token];
  }
  return doc;
}

function replace(doc: JsonValue, path: string, value: JsonValue): JsonValue {
  if (path === '') return value;
  const { parent, token } = locate(doc, path, 'replace');
  if (Array.isArray(parent)) {
    const i = arrayIndex(token, parent.length, false);
    if (i === undefined) throw missing('replace', path);
    parent[i] = value;
  } else {
    // RFC 6902 4.3 says the member must exist, but Kubernetes' library (evanphx/json-patch v4,
    // checked with `kubectl patch --local --type json`) sets a missing member, as add would.
    // Lenient like Kubernetes, because `kubectl rollout undo` replaces /metadata/annotations
    // whether or not the object has any.
    setOwn(parent, token, value);
  }
  return doc;
}

function missing(opName: string, path: string): PatchError {
  return unappliable(`${opName} operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
}
