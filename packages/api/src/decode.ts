// Turning a request body into a typed object the way the Kubernetes API server's JSON decoder
// does: unknown fields are dropped (or, for fieldValidation=Strict, reported), nulls mean "not
// set", fields Go always serialises get their zero value, quantities and times are canonicalised
// (times to UTC, as metav1.Time writes them), []byte must be base64, and a
// value of the wrong JSON type fails with Go's "cannot unmarshal" message.
//
// This walks the shape tree compiled from the model (model/shape.ts): one pass does everything
// above, and it keeps decode of a typical Pod in the low microseconds.

import type { KubeObject } from './object.ts';
import { canonicalQuantity, QUANTITY_FORMAT_ERROR, QuantityError } from './quantity.ts';
import type { ResourceInfo } from './resources.ts';
import { canonicalMicroTime, canonicalTime, TimeParseError } from './helpers/time.ts';
import { goTypeName, kindShape, zeroValue, type ObjectShape, type Shape } from './model/shape.ts';

type Kind = Pick<ResourceInfo, 'group' | 'version' | 'kind'>;

export type DecodeResult =
  | { ok: true; object: KubeObject; unknownFields: string[] }
  | { ok: false; message: string };

interface PathNode {
  parent?: PathNode;
  key?: string;
  index?: number;
}

/** `spec.template.spec.containers[0].image`, the form Kubernetes uses for field paths. */
function renderPath(p: PathNode | undefined): string {
  const parts: string[] = [];
  for (let n = p; n; n = n.parent) {
    if (n.key !== undefined) parts.push(`.${n.key}`);
    else if (n.index !== undefined) parts.push(`[${n.index}]`);
  }
  return parts.reverse().join('').replace(/^\./, '');
}

/** Go's JSON errors name the path without indices. */
function renderGoPath(p: PathNode | undefined): string {
  const parts: string[] = [];
  for (let n = p; n; n = n.parent) if (n.key !== undefined) parts.push(n.key);
  return parts.reverse().join('.');
}

class DecodeError extends Error {}

interface Walk {
  unknown: string[] | undefined;
  structName: string;
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  return typeof v;
}

function typeError(value: unknown, shape: Shape, path: PathNode, struct: string): never {
  const where = struct ? `Go struct field ${struct}.${renderGoPath(path)}` : 'Go value';
  throw new DecodeError(`json: cannot unmarshal ${jsonTypeOf(value)} into ${where} of type ${goTypeName(shape)}`);
}

/** Assigns even the key `__proto__` as a plain own property (a label may legally be named so). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function walk(shape: Shape, value: unknown, path: PathNode, w: Walk): unknown {
  switch (shape.t) {
    case 'object':
      return walkObject(shape, value, path, w);
    case 'array': {
      if (!Array.isArray(value)) typeError(value, shape, path, w.structName);
      const out = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        out[i] = item === null ? zeroValue(shape.items) : walk(shape.items, item, { parent: path, index: i }, w);
      }
      return out;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(value, shape, path, w.structName);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        setOwn(out, k, v === null ? zeroValue(shape.values) : walk(shape.values, v, { parent: path, key: k }, w));
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') typeError(value, shape, path, w.structName);
      return value;
    case 'time':
      if (typeof value !== 'string') typeError(value, shape, path, w.structName);
      try {
        return shape.micro ? canonicalMicroTime(value) : canonicalTime(value);
      } catch (e) {
        if (e instanceof TimeParseError) throw new DecodeError(e.message);
        throw e;
      }
    case 'bytes':
      if (typeof value !== 'string') typeError(value, shape, path, w.structName);
      return canonicalBase64(value);
    case 'int':
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        (shape.format === 'int32' ? value < INT32_MIN || value > INT32_MAX : !Number.isSafeInteger(value))
      ) {
        typeError(value, shape, path, w.structName);
      }
      return value;
    case 'number':
      if (typeof value !== 'number') typeError(value, shape, path, w.structName);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') typeError(value, shape, path, w.structName);
      return value;
    case 'intOrString':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return value;
      return typeError(value, shape, path, w.structName);
    case 'quantity':
      if (typeof value !== 'string' && typeof value !== 'number') typeError(value, shape, path, w.structName);
      try {
        return canonicalQuantity(value);
      } catch (e) {
        throw new DecodeError(e instanceof QuantityError ? e.message : QUANTITY_FORMAT_ERROR);
      }
    default:
      return value;
  }
}

const BASE64_CHAR = /[A-Za-z0-9+/]/;

/**
 * A `[]byte` field as Go's encoding/json reads it: standard base64 with padding, CR and LF
 * ignored, anything else "illegal base64 data at input byte N". Returns the canonical encoding
 * (what Go writes back). The value itself never appears in the error.
 */
function canonicalBase64(s: string): string {
  const text = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  const bad = (at: number) => new DecodeError(`illegal base64 data at input byte ${at}`);
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '=') {
      if (!BASE64_CHAR.test(text[i])) throw bad(i);
      continue;
    }
    // Padding (offsets as Go's decodeQuantum reports them): only in the last two places of a
    // quantum, "==" when two are missing, and nothing after it.
    const pos = i % 4;
    if (pos < 2) throw bad(i);
    let end = i + 1;
    if (pos === 2) {
      if (end >= text.length) throw bad(text.length);
      if (text[end] !== '=') throw bad(i);
      end++;
    }
    if (end < text.length) throw bad(end);
    break;
  }
  if (text.length % 4 !== 0) throw bad(text.length - (text.length % 4));
  return Buffer.from(text, 'base64').toString('base64');
}

function walkObject(shape: ObjectShape, value: unknown, path: PathNode | undefined, w: Walk): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(value, shape, path ?? {}, w.structName);
  const parentStruct = w.structName;
  w.structName = shape.id.slice(shape.id.lastIndexOf('.') + 1);
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const prop = shape.props[k];
    const v = src[k];
    if (!prop) {
      if (w.unknown) w.unknown.push(renderPath({ parent: path, key: k }));
      continue;
    }
    // null means "not set" in Kubernetes JSON (e.g. `creationTimestamp: null` from kubectl).
    if (v === null) continue;
    out[k] = walk(prop.shape, v, { parent: path, key: k }, w);
  }
  for (const [k, prop] of shape.alwaysProps) {
    if (out[k] === undefined) {
      const z = zeroValue(prop.shape);
      if (z !== undefined) out[k] = z;
    }
  }
  w.structName = parentStruct;
  return out;
}

function shapeFor(resource: Kind): ObjectShape {
  const shape = kindShape(resource);
  if (!shape) throw new Error(`the model has no kind ${resource.group}/${resource.version} ${resource.kind}`);
  return shape;
}

/**
 * Decodes a request body for `resource`. apiVersion/kind default to the resource's own when
 * absent (the URL already says what is being created). Unknown fields are dropped and listed
 * in `unknownFields`, so the caller can apply fieldValidation=Strict/Warn.
 */
export function decodeObject(resource: Kind, raw: unknown): DecodeResult {
  const w: Walk = { unknown: [], structName: '' };
  try {
    const obj = walkObject(shapeFor(resource), raw, undefined, w) as KubeObject;
    if (!obj.apiVersion) obj.apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
    if (!obj.kind) obj.kind = resource.kind;
    return { ok: true, object: obj, unknownFields: w.unknown! };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const { kind, version } = resource;
    return { ok: false, message: `${kind} in version "${version}" cannot be handled as a ${kind}: ${e.message}` };
  }
}

/** Paths of fields the schema does not know, e.g. `spec.replica`, `spec.template.spec.containers[0].imagePullPolice`. */
export function findUnknownFields(resource: Kind, raw: unknown): string[] {
  const result = decodeObject(resource, raw);
  return result.ok ? result.unknownFields : [];
}

/** The message of the 400 Kubernetes returns for fieldValidation=Strict. */
export function strictDecodingError(unknownFields: readonly string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`;
}

/** The warning text for fieldValidation=Warn (one per field). */
export function unknownFieldWarnings(unknownFields: readonly string[]): string[] {
  return unknownFields.map((f) => `unknown field "${f}"`);
}
