// OpenAPI v3 schemas generated from the zod schemas, shaped like the API server's
// /openapi/v3/apis/<group>/<version> documents so `kubectl explain` can read them: components
// named after the Go types (`io.k8s.api.apps.v1.Deployment`), `$ref`s between them, field
// descriptions, and `x-kubernetes-group-version-kind` on every top-level kind.

import { RESOURCES, type ResourceInfo } from './resources.ts';
import { allKindSchemas, listSchemaFor, SCALE_KIND, schemaFor } from './schemas/registry.ts';
import { compileShape, type ObjectShape, type Shape } from './schemas/shape.ts';
import { DeleteOptionsSchema, StatusSchema } from './schemas/meta.ts';

export type OpenAPISchema = Record<string, unknown>;

const COMPONENTS_PREFIX = '#/components/schemas/';
const DEFS_PREFIX = '#/$defs/';

/** Where `$ref`s point: components.schemas in a document, $defs in a standalone schema. */
let refPrefix = COMPONENTS_PREFIX;

function ref(id: string): OpenAPISchema {
  return { $ref: `${refPrefix}${id}` };
}

/** Converts one shape; named types become `$ref`s and are queued for emission. */
function convert(shape: Shape, queue: Shape[]): OpenAPISchema {
  if (shape.id) {
    queue.push(shape);
    return ref(shape.id);
  }
  return inline(shape, queue);
}

function inline(shape: Shape, queue: Shape[]): OpenAPISchema {
  switch (shape.t) {
    case 'object':
      return objectSchema(shape, queue);
    case 'map':
      return { type: 'object', additionalProperties: convert(shape.values, queue) };
    case 'array':
      return { type: 'array', items: convert(shape.items, queue) };
    case 'string':
      return { type: 'string', ...(shape.format ? { format: shape.format } : {}), ...(shape.enum ? { enum: shape.enum } : {}) };
    case 'int':
      return { type: 'integer', format: shape.format };
    case 'number':
      return { type: 'number', format: 'double' };
    case 'boolean':
      return { type: 'boolean' };
    case 'intOrString':
      return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
    case 'quantity':
      return { type: 'string' };
    default:
      return {};
  }
}

function objectSchema(shape: ObjectShape, queue: Shape[]): OpenAPISchema {
  const docs = { ...COMMON_DOCS, ...(shape.meta?.fieldDocs ?? {}) };
  const properties: Record<string, OpenAPISchema> = {};
  for (const [name, prop] of Object.entries(shape.props)) {
    const s = convert(prop.shape, queue);
    const description = docs[name];
    if (s.$ref) {
      // Kubernetes wraps a $ref in allOf whenever the property carries its own keywords.
      const extra: OpenAPISchema = {};
      if (description) extra.description = description;
      if (prop.always && prop.shape.t === 'object') extra.default = {};
      properties[name] = Object.keys(extra).length ? { allOf: [s], ...extra } : s;
    } else {
      properties[name] = description ? { ...s, description } : s;
    }
  }
  const out: OpenAPISchema = { type: 'object' };
  if (shape.meta?.description) out.description = shape.meta.description;
  out.properties = properties;
  if (shape.meta?.k8sRequired?.length) out.required = [...shape.meta.k8sRequired];
  if (shape.meta?.gvk) out['x-kubernetes-group-version-kind'] = shape.meta.gvk.map((g) => ({ ...g }));
  return out;
}

function namedSchema(shape: Shape, queue: Shape[]): OpenAPISchema {
  const body = inline(shape, queue);
  // Leaf named types (Time, Quantity, IntOrString) take their description from zod metadata.
  if (shape.t !== 'object') {
    const desc = LEAF_DOCS[shape.id ?? ''];
    if (desc) body.description = desc;
  }
  return body;
}

const COMMON_DOCS: Record<string, string> = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.',
};

const LEAF_DOCS: Record<string, string> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime is version of Time with microsecond level precision.',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString is a type that can hold an int32 or a string.',
  'io.k8s.apimachinery.pkg.api.resource.Quantity':
    "Quantity is a fixed-point representation of a number, e.g. '500m', '1.5', '128Mi', '1G', '2e3'. Serialized in canonical form.",
};

/** Every component reachable from `roots`, keyed by Kubernetes' schema name. */
export function componentsFrom(roots: readonly unknown[], prefix: string = COMPONENTS_PREFIX): Record<string, OpenAPISchema> {
  refPrefix = prefix;
  try {
    return collect(roots);
  } finally {
    refPrefix = COMPONENTS_PREFIX;
  }
}

function collect(roots: readonly unknown[]): Record<string, OpenAPISchema> {
  const out: Record<string, OpenAPISchema> = {};
  const queue: Shape[] = roots.map((r) => compileShape(r));
  while (queue.length > 0) {
    const shape = queue.shift()!;
    if (!shape.id || out[shape.id]) continue;
    out[shape.id] = {}; // reserve first, so recursive references terminate
    out[shape.id] = namedSchema(shape, queue);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `io.k8s.api.apps.v1.Deployment` for the Deployment resource. */
export function openAPISchemaName(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): string | undefined {
  const schema = schemaFor(resource);
  return schema ? compileShape(schema).id : undefined;
}

/** A kind's schema plus every component it references, as components.schemas entries. */
export function componentsFor(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): { name: string; components: Record<string, OpenAPISchema> } {
  const schema = schemaFor(resource);
  if (!schema) throw new Error(`no schema for ${resource.kind}`);
  return { name: compileShape(schema).id!, components: componentsFrom([schema]) };
}

/**
 * One kind as a standalone JSON Schema: `{ $ref: '#/$defs/io.k8s.api.apps.v1.Deployment',
 * $defs: {...} }`, every named type under its Kubernetes name in `$defs` (the layout
 * z.toJSONSchema uses, so a consumer can move `$defs` into components.schemas unchanged).
 * Undefined for kinds without a schema.
 */
export function jsonSchemaFor(resource: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): OpenAPISchema | undefined {
  const schema = schemaFor(resource);
  if (!schema) return undefined;
  return { $ref: `${DEFS_PREFIX}${compileShape(schema).id}`, $defs: componentsFrom([schema], DEFS_PREFIX) };
}

const docCache = new Map<string, OpenAPISchema>();

/**
 * The document served at /openapi/v3/api/v1 (group '') or /openapi/v3/apis/<group>/<version>:
 * the group-version's kinds and lists, Scale where a kind has a scale subresource, and the
 * meta types the endpoints use.
 */
export function openAPIV3Document(group: string, version: string, k8sVersion = 'v1.33.0'): OpenAPISchema {
  const key = `${group}/${version}`;
  const hit = docCache.get(key);
  if (hit) return hit;
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  const roots: unknown[] = [DeleteOptionsSchema, StatusSchema];
  for (const r of resources) {
    roots.push(schemaFor(r), listSchemaFor(r));
    if (r.subresources.includes('scale')) roots.push(schemaFor(SCALE_KIND));
  }
  const doc: OpenAPISchema = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: k8sVersion },
    paths: {},
    components: { schemas: componentsFrom(roots.filter(Boolean)) },
  };
  docCache.set(key, doc);
  return doc;
}

/** The `paths` of /openapi/v3: one entry per group-version, keyed as Kubernetes keys them. */
export function openAPIV3GroupVersions(): { path: string; group: string; version: string }[] {
  const seen = new Map<string, { path: string; group: string; version: string }>();
  for (const r of RESOURCES) {
    const path = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
    if (!seen.has(path)) seen.set(path, { path, group: r.group, version: r.version });
  }
  return [...seen.values()];
}

/** Every component of every kind skiff knows, for a single combined document. */
export function allOpenAPIComponents(): Record<string, OpenAPISchema> {
  return componentsFrom(allKindSchemas());
}
