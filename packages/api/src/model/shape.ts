// Compiles the model (model.ts) once into a plain tree of shapes that the decoder walks. Walking
// a small tree of plain objects per request is much faster than interpreting type references
// each time; each type is compiled once and shared, so recursive types terminate.

import { modelType, modelTypeIdOf, type TypeRef } from './model.ts';

export type Shape =
  | ObjectShape
  | { t: 'map'; values: Shape }
  | { t: 'array'; items: Shape }
  | { t: 'string' }
  /** base64 text, as Go encodes a []byte. */
  | { t: 'bytes' }
  | { t: 'time'; micro: boolean }
  | { t: 'int'; format: 'int32' | 'int64' }
  | { t: 'number' }
  | { t: 'boolean' }
  | { t: 'intOrString' }
  | { t: 'quantity' }
  | { t: 'any' };

export interface ObjectShape {
  t: 'object';
  /** The OpenAPI name, e.g. `io.k8s.api.core.v1.Container`. */
  id: string;
  props: Record<string, Prop>;
  /** The props with `always`, precomputed because the decoder visits them on every object. */
  alwaysProps: [string, Prop][];
}

export interface Prop {
  shape: Shape;
  /** Go always serialises it; the decoder fills the zero value when absent. */
  always: boolean;
}

const SCALARS: Record<string, Shape> = {
  string: { t: 'string' },
  byte: { t: 'bytes' },
  'date-time': { t: 'time', micro: false },
  'date-time-micro': { t: 'time', micro: true },
  int32: { t: 'int', format: 'int32' },
  int64: { t: 'int', format: 'int64' },
  double: { t: 'number' },
  boolean: { t: 'boolean' },
  'int-or-string': { t: 'intOrString' },
  quantity: { t: 'quantity' },
  any: { t: 'any' },
};

const objects = new Map<string, ObjectShape>();

/** The shape of a type reference (see TypeRef). */
export function shapeOf(ref: TypeRef): Shape {
  if (ref.startsWith('[]')) return { t: 'array', items: shapeOf(ref.slice(2)) };
  if (ref.startsWith('{}')) return { t: 'map', values: shapeOf(ref.slice(2)) };
  return SCALARS[ref] ?? objectShape(ref);
}

/** The compiled shape of a type by its OpenAPI name. */
export function objectShape(id: string): ObjectShape {
  const hit = objects.get(id);
  if (hit) return hit;
  const def = modelType(id);
  if (!def) throw new Error(`the model has no type ${id}`);
  // A null prototype, so request keys like "valueOf" never resolve to Object.prototype.
  const shape: ObjectShape = { t: 'object', id, props: Object.create(null) as Record<string, Prop>, alwaysProps: [] };
  objects.set(id, shape); // registered before descending, so self-referencing types terminate
  const always = new Set(def.always ?? []);
  for (const [name, ref] of Object.entries(def.props)) {
    const prop: Prop = { shape: shapeOf(ref), always: always.has(name) };
    shape.props[name] = prop;
    if (prop.always) shape.alwaysProps.push([name, prop]);
  }
  return shape;
}

/** The shape of a kind, or undefined when the model has no such kind. */
export function kindShape(gvk: { group: string; version: string; kind: string }): ObjectShape | undefined {
  const id = modelTypeIdOf(gvk);
  return id ? objectShape(id) : undefined;
}

/** The value Go's decoder leaves in a field the JSON did not mention (undefined: none, e.g. a nil Time). */
export function zeroValue(shape: Shape): unknown {
  switch (shape.t) {
    case 'string':
    case 'bytes':
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
      for (const [name, prop] of shape.alwaysProps) {
        const z = zeroValue(prop.shape);
        if (z !== undefined) out[name] = z;
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
    case 'bytes':
      return '[]uint8';
    case 'time':
      return shape.micro ? 'v1.MicroTime' : 'v1.Time';
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
    case 'object': {
      const parts = shape.id.split('.');
      return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    }
    default:
      return 'interface {}';
  }
}
