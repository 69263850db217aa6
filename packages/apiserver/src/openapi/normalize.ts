// Turning a JSON Schema (as z.toJSONSchema writes it, draft 2020-12) into an OpenAPI 3.0 schema
// kubectl can read, and enriching it with the catalog's descriptions and patch keys.
import type { Schema } from './catalog/dsl.ts';
import { refPath } from './catalog/dsl.ts';

const DROP = new Set(['$schema', '$id', '$defs', 'definitions', '$comment', 'examples', 'unevaluatedProperties']);

/**
 * Returns the root schema and its local definitions, renamed `<prefix>.<Name>` so they can join
 * components.schemas; every `#/$defs/X` reference is rewritten to match.
 */
export function toOpenApi30(input: Schema, prefix: string): { schema: Schema; definitions: Record<string, Schema> } {
  // Definitions that already carry a qualified id (zod `.meta({ id: 'io.k8s.api.core.v1.PodSpec' })`)
  // keep it; anonymous ones are scoped under the kind's name.
  const defName = (name: string) => (name.includes('.') ? name : `${prefix}.${name}`);
  const defs = { ...((input.$defs as Record<string, Schema>) ?? {}), ...((input.definitions as Record<string, Schema>) ?? {}) };
  const rename = (ref: string) => {
    const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    return m ? refPath(defName(decodeURIComponent(m[1]))) : ref;
  };

  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const src = node as Schema;
    const out: Schema = {};
    for (const [k, v] of Object.entries(src)) {
      if (DROP.has(k)) continue;
      if (k === '$ref' && typeof v === 'string') out.$ref = rename(v);
      else if (k === 'const') out.enum = [v];
      else if (k === 'properties' || k === 'patternProperties') {
        out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, walk(s)]));
      } else out[k] = walk(v);
    }
    // type: ['string', 'null'] -> type: 'string', nullable
    if (Array.isArray(out.type)) {
      const types = (out.type as string[]).filter((t) => t !== 'null');
      if (types.length !== (out.type as string[]).length) out.nullable = true;
      out.type = types.length === 1 ? types[0] : undefined;
      if (out.type === undefined) delete out.type;
    }
    // anyOf: [X, {type: 'null'}] -> X, nullable
    for (const key of ['anyOf', 'oneOf'] as const) {
      const alts = out[key] as Schema[] | undefined;
      if (!alts) continue;
      const rest = alts.filter((a) => a.type !== 'null');
      if (rest.length === alts.length) continue;
      delete out[key];
      if (rest.length === 1) Object.assign(out, rest[0].$ref ? { allOf: [rest[0]] } : rest[0]);
      else out[key] = rest;
      out.nullable = true;
    }
    // OpenAPI 3.0 ignores the siblings of $ref; wrap it so a description can stay.
    if (out.$ref && Object.keys(out).length > 1) {
      const { $ref, ...rest } = out;
      return { allOf: [{ $ref }], ...rest };
    }
    // A `{}` additionalProperties (anything) is the same as leaving it out.
    if (out.additionalProperties && typeof out.additionalProperties === 'object' && Object.keys(out.additionalProperties as Schema).length === 0) {
      delete out.additionalProperties;
    }
    return out;
  };

  const definitions: Record<string, Schema> = {};
  for (const [name, def] of Object.entries(defs)) definitions[defName(name)] = walk(def) as Schema;
  return { schema: walk(input) as Schema, definitions };
}

const EXTENSIONS = [
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
];

/**
 * Copies descriptions and strategic-merge extensions from `donor` (the catalog) into `target`
 * wherever the same property path exists in both, following references on either side.
 * `target` is modified in place.
 */
export function backfill(
  target: Schema,
  donor: Schema | undefined,
  lookup: { target: (ref: string) => Schema | undefined; donor: (ref: string) => Schema | undefined },
  seen = new Set<Schema>(),
  copyDescription = true,
): void {
  if (!donor || seen.has(target)) return;
  seen.add(target);
  const refOf = (s: Schema) =>
    (s.$ref as string | undefined) ?? ((s.allOf as Schema[] | undefined)?.length === 1 ? ((s.allOf as Schema[])[0].$ref as string | undefined) : undefined);
  const donorRef = refOf(donor);
  const d = (donorRef && lookup.donor(donorRef)) || donor;
  if (copyDescription && typeof donor.description === 'string' && target.description === undefined) {
    if (typeof target.$ref === 'string') {
      // OpenAPI 3.0 ignores siblings of $ref: move it into allOf so the description counts.
      target.allOf = [{ $ref: target.$ref }];
      delete target.$ref;
    }
    target.description = donor.description;
  }
  for (const ext of EXTENSIONS) if (donor[ext] !== undefined && target[ext] === undefined) target[ext] = donor[ext];
  const targetRef = refOf(target);
  const t = (targetRef && lookup.target(targetRef)) || target;
  if (t !== target) {
    // A named type shared by many fields takes a type-level description only from a named type.
    backfill(t, d, lookup, seen, d !== donor);
    return;
  }
  const tProps = t.properties as Record<string, Schema> | undefined;
  const dProps = d.properties as Record<string, Schema> | undefined;
  if (tProps && dProps) for (const [k, v] of Object.entries(tProps)) backfill(v, dProps[k], lookup, seen);
  if (t.items && d.items) backfill(t.items as Schema, d.items as Schema, lookup, seen);
  if (t.additionalProperties && typeof t.additionalProperties === 'object' && d.additionalProperties && typeof d.additionalProperties === 'object') {
    backfill(t.additionalProperties as Schema, d.additionalProperties as Schema, lookup, seen);
  }
}
