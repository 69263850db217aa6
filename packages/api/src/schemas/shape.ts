// Compiles a zod schema once into a plain tree that the decoder, the unknown-field finder and
// the OpenAPI generator walk. Reading zod's internals in one place keeps the rest independent
// of them, and walking a small plain tree is much faster than re-inspecting zod per request.

import { z } from 'zod';
import type { KubeSchemaMeta } from './common.ts';

export type Shape =
  | ObjectShape
  | { t: 'map'; values: Shape; id?: string }
  | { t: 'array'; items: Shape; id?: string }
  | { t: 'string'; id?: string; format?: string; enum?: string[] }
  | { t: 'int'; format: 'int32' | 'int64'; id?: string }
  | { t: 'number'; id?: string }
  | { t: 'boolean'; id?: string }
  | { t: 'intOrString'; id?: string }
  | { t: 'quantity'; id?: string }
  | { t: 'any'; id?: string };

export interface ObjectShape {
  t: 'object';
  id?: string;
  meta?: KubeSchemaMeta;
  props: Record<string, Prop>;
  /** The props with `always`, precomputed because the decoder visits them on every object. */
  alwaysProps: [string, Prop][];
}

export interface Prop {
  shape: Shape;
  /** Go always serialises it; the decoder fills the zero value when absent. */
  always: boolean;
}

const QUANTITY_ID = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING_ID = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const cache = new WeakMap<object, Shape>();

interface ZodInternals {
  _zod: { def: Record<string, any> };
}

function defOf(s: unknown): Record<string, any> {
  return (s as ZodInternals)._zod.def;
}

function metaOf(s: unknown): Record<string, unknown> | undefined {
  return z.globalRegistry.get(s as z.ZodType) as Record<string, unknown> | undefined;
}

/** Strips wrappers that do not change the JSON shape; reports whether one made it optional. */
function unwrap(s: unknown): { inner: unknown; optional: boolean } {
  let optional = false;
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    switch (d.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
        optional = true;
        cur = d.innerType;
        break;
      case 'readonly':
      case 'nonoptional':
      case 'catch':
        cur = d.innerType;
        break;
      case 'lazy':
        cur = d.getter();
        break;
      default:
        return { inner: cur, optional };
    }
  }
}

export function compileShape(schema: unknown): Shape {
  const { inner } = unwrap(schema);
  const hit = cache.get(inner as object);
  if (hit) return hit;
  const meta = metaOf(inner);
  const id = typeof meta?.id === 'string' ? meta.id : undefined;
  const d = defOf(inner);

  if (id === QUANTITY_ID) return remember(inner, { t: 'quantity', id });
  if (id === INT_OR_STRING_ID) return remember(inner, { t: 'intOrString', id });

  switch (d.type) {
    case 'object': {
      // Registered before descending so self-referencing types terminate.
      // A null prototype, so request keys like "valueOf" never resolve to Object.prototype.
      const shape: ObjectShape = { t: 'object', props: Object.create(null) as Record<string, Prop>, alwaysProps: [], ...(id ? { id, meta: meta as unknown as KubeSchemaMeta } : {}) };
      cache.set(inner as object, shape);
      for (const [name, prop] of Object.entries(d.shape as Record<string, unknown>)) {
        const { optional } = unwrap(prop);
        shape.props[name] = { shape: compileShape(prop), always: !optional };
        if (!optional) shape.alwaysProps.push([name, shape.props[name]]);
      }
      return shape;
    }
    case 'array':
      return remember(inner, { t: 'array', items: compileShape(d.element), id });
    case 'record':
      return remember(inner, { t: 'map', values: compileShape(d.valueType), id });
    case 'string':
      return remember(inner, { t: 'string', id, ...(typeof meta?.format === 'string' ? { format: meta.format } : {}) });
    case 'enum':
      return remember(inner, { t: 'string', id, enum: Object.values(d.entries as Record<string, string>) });
    case 'number':
      if (d.format === 'int32') return remember(inner, { t: 'int', format: 'int32', id });
      if (d.format === 'safeint' || d.format === 'int64') return remember(inner, { t: 'int', format: 'int64', id });
      return remember(inner, { t: 'number', id });
    case 'boolean':
      return remember(inner, { t: 'boolean', id });
    case 'pipe':
      return compileShape(d.in);
    default:
      return remember(inner, { t: 'any', id });
  }
}

function remember(key: unknown, shape: Shape): Shape {
  if (shape.id === undefined) delete shape.id;
  cache.set(key as object, shape);
  return shape;
}

/** The value Go's decoder leaves in a field the JSON did not mention. */
export function zeroValue(shape: Shape): unknown {
  switch (shape.t) {
    case 'string':
      return '';
    case 'int':
    case 'number':
    case 'intOrString':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'map':
      return {};
    case 'quantity':
      return '0';
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(shape.props)) {
        if (prop.always) {
          const z = zeroValue(prop.shape);
          if (z !== undefined) out[name] = z;
        }
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Go's name for a shape's type, for decode error messages. */
export function goTypeName(shape: Shape): string {
  switch (shape.t) {
    case 'string':
      return 'string';
    case 'int':
      return shape.format;
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${goTypeName(shape.items)}`;
    case 'map':
      return `map[string]${goTypeName(shape.values)}`;
    case 'intOrString':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'object':
      return shape.id ? `v1.${shape.id.slice(shape.id.lastIndexOf('.') + 1)}` : 'struct';
    default:
      return 'interface {}';
  }
}
