// Sets of field paths, encoded the way Kubernetes records them in metadata.managedFields
// (fieldsType FieldsV1), so `kubectl get -o yaml --show-managed-fields` reads naturally:
//   f:<name>                     a field of an object
//   k:{"<mergeKey>":<value>}     the element of a keyed list with that key
//   v:<json>                     the element of a set-like primitive list with that value
// A node that is itself a member and also has members below it carries ".": {}.
//
// Inside this module a path is a list of those element strings; a set holds paths as JSON text.

import { canonicalJson, getOwn, hasOwn, isObject, jsonEqual, type JsonObject, type JsonValue } from './json.ts';
import { fieldSchema, type Schema } from './merge-keys.ts';

export type FieldPath = string[];
export type FieldSet = Set<string>;

export const pathKey = (path: FieldPath): string => JSON.stringify(path);
export const pathOf = (key: string): FieldPath => JSON.parse(key) as FieldPath;

/**
 * The leaf fields `value` sets, plus one member per keyed-list element it names. Nulls set
 * nothing; an empty object, an atomic list or an empty list is one leaf.
 */
export function collectFieldSet(value: JsonObject, schema: Schema | undefined, prefix: FieldPath = [], out: FieldSet = new Set()): FieldSet {
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v === null) continue;
    const path = [...prefix, `f:${k}`];
    const meta = fieldSchema(schema, k);
    if (isObject(v) && Object.keys(v).length > 0) {
      collectFieldSet(v, meta?.fields, path, out);
    } else if (Array.isArray(v) && v.length > 0 && meta?.merge !== undefined) {
      const mergeKey = meta.merge.mergeKey;
      for (const el of v) {
        if (mergeKey === undefined) {
          out.add(pathKey([...path, `v:${canonicalJson(el)}`]));
        } else if (isObject(el) && hasOwn(el, mergeKey)) {
          const elementPath = [...path, `k:${canonicalJson({ [mergeKey]: el[mergeKey] })}`];
          out.add(pathKey(elementPath));
          collectFieldSet(el, meta.fields, elementPath, out);
        }
      }
    } else {
      out.add(pathKey(path));
    }
  }
  return out;
}

/** Every path of `set` and every prefix of one: the paths something below is still using. */
export function coveredPaths(set: FieldSet): FieldSet {
  const covered: FieldSet = new Set();
  for (const key of set) {
    const path = pathOf(key);
    for (let n = 1; n <= path.length; n++) covered.add(pathKey(path.slice(0, n)));
  }
  return covered;
}

/** The value at `path` in `root`, or undefined when any step is missing. */
export function valueAtPath(root: JsonValue, path: FieldPath): JsonValue | undefined {
  let node: JsonValue | undefined = root;
  for (const element of path) {
    node = node === undefined ? undefined : step(node, element);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Removes what `path` names from `root`, in place (callers pass their own copy). */
export function removePath(root: JsonObject, path: FieldPath): void {
  const parent = valueAtPath(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last.startsWith('f:')) {
    if (isObject(parent)) delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    for (let i = parent.length - 1; i >= 0; i--) if (matches(parent[i], last)) parent.splice(i, 1);
  }
}

function step(node: JsonValue, element: string): JsonValue | undefined {
  if (element.startsWith('f:')) return isObject(node) ? getOwn(node, element.slice(2)) : undefined;
  return Array.isArray(node) ? node.find((el) => matches(el, element)) : undefined;
}

function matches(el: JsonValue, element: string): boolean {
  const spec = JSON.parse(element.slice(2)) as JsonValue;
  if (element.startsWith('v:')) return jsonEqual(el, spec);
  return isObject(el) && isObject(spec) && Object.keys(spec).every((k) => hasOwn(el, k) && jsonEqual(el[k], spec[k]));
}

/** `.spec.template.spec.containers[name="web"].image`, as Kubernetes prints conflicting fields. */
export function formatPath(path: FieldPath): string {
  return path
    .map((element) => {
      if (element.startsWith('f:')) return `.${element.slice(2)}`;
      const spec = JSON.parse(element.slice(2)) as JsonValue;
      if (element.startsWith('v:')) return `[=${JSON.stringify(spec)}]`;
      const pairs = isObject(spec) ? Object.keys(spec).map((k) => `${k}=${JSON.stringify(spec[k])}`) : [];
      return `[${pairs.join(',')}]`;
    })
    .join('');
}

interface Node {
  member: boolean;
  children: Map<string, Node>;
}

const newNode = (): Node => ({ member: false, children: new Map() });

function childOf(node: Node, element: string): Node {
  let next = node.children.get(element);
  if (next === undefined) {
    next = newNode();
    node.children.set(element, next);
  }
  return next;
}

/** The FieldsV1 object for `set`, keys sorted so equal sets encode identically. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root = newNode();
  for (const key of set) {
    let node = root;
    for (const element of pathOf(key)) node = childOf(node, element);
    node.member = true;
  }
  return encodeTree(root) ?? {};
}

/**
 * toFieldsV1(collectFieldSet(value, schema)) in one walk, without the set's path keys: a
 * create's managedFields entry is exactly its object's fields (managed-fields.ts).
 */
export function fieldsV1Of(value: JsonObject, schema: Schema | undefined): JsonObject {
  const root = newNode();
  collectTree(value, schema, root);
  return encodeTree(root) ?? {};
}

/** collectFieldSet's walk, into a tree (a node may stay empty: encodeTree leaves it out). */
function collectTree(value: JsonObject, schema: Schema | undefined, node: Node): void {
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (v === null) continue;
    const meta = fieldSchema(schema, k);
    if (isObject(v) && Object.keys(v).length > 0) {
      collectTree(v, meta?.fields, childOf(node, `f:${k}`));
    } else if (Array.isArray(v) && v.length > 0 && meta?.merge !== undefined) {
      const mergeKey = meta.merge.mergeKey;
      const list = childOf(node, `f:${k}`);
      for (const el of v) {
        if (mergeKey === undefined) {
          childOf(list, `v:${canonicalJson(el)}`).member = true;
        } else if (isObject(el) && hasOwn(el, mergeKey)) {
          const element = childOf(list, `k:${canonicalJson({ [mergeKey]: el[mergeKey] })}`);
          element.member = true;
          collectTree(el, meta.fields, element);
        }
      }
    } else {
      childOf(node, `f:${k}`).member = true;
    }
  }
}

/** A node's FieldsV1 object, keys sorted; undefined for a node with no member at or below it. */
function encodeTree(node: Node): JsonObject | undefined {
  const out: JsonObject = {};
  let children = 0;
  for (const element of [...node.children.keys()].sort()) {
    const sub = encodeTree(node.children.get(element) as Node);
    if (sub === undefined) continue;
    if (children++ === 0 && node.member) out['.'] = {};
    out[element] = sub; // an element is "." or starts "f:", "k:" or "v:": never "__proto__"
  }
  return children === 0 && !node.member ? undefined : out;
}

/** The set a FieldsV1 object describes; anything that is not an object encodes nothing. */
export function fromFieldsV1(fields: unknown, prefix: FieldPath = [], out: FieldSet = new Set()): FieldSet {
  if (!isObject(fields)) return out;
  for (const element of Object.keys(fields)) {
    if (element === '.') {
      if (prefix.length > 0) out.add(pathKey(prefix));
      continue;
    }
    if (!isPathElement(element)) continue; // e.g. Kubernetes' "i:<index>": skiff records none
    const sub = fields[element];
    const path = [...prefix, element];
    if (isObject(sub) && Object.keys(sub).length > 0) fromFieldsV1(sub, path, out);
    else out.add(pathKey(path));
  }
  return out;
}

function isPathElement(element: string): boolean {
  if (element.startsWith('f:')) return true;
  if (!element.startsWith('k:') && !element.startsWith('v:')) return false;
  try {
    JSON.parse(element.slice(2));
    return true;
  } catch {
    return false;
  }
}
