// OpenAPI v3 component schemas generated from the model, in the shape kube-apiserver publishes
// them at /openapi/v3/...: components named after the Go types (`io.k8s.api.apps.v1.Deployment`),
// `$ref`s wrapped in `allOf` when the property has its own description or default, descriptions
// from the Kubernetes sources (what `kubectl explain` prints), `x-kubernetes-group-version-kind`
// on kinds, and the strategic-merge patch keys `kubectl apply` reads to build its patches.

import { modelDocs, modelType, parsePatch, type TypeRef } from './model.ts';

export type OpenAPISchema = { [key: string]: unknown };

export const COMPONENT_PREFIX = '#/components/schemas/';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const TIME = `${META}Time`;
const MICRO_TIME = `${META}MicroTime`;
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

/** apimachinery's leaf types: not structs in the model, but named components in Kubernetes' OpenAPI. */
const LEAVES: Record<string, OpenAPISchema> = {
  [TIME]: { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.' },
  [MICRO_TIME]: { type: 'string', format: 'date-time', description: 'MicroTime is version of Time with microsecond level precision.' },
  [QUANTITY]: {
    type: 'string',
    description: "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.  The serialization format is: <quantity> ::= <signedNumber><suffix> e.g. '500m', '1.5', '128Mi', '1G', '2e3'. It is serialized in canonical form.",
  },
  [INT_OR_STRING]: { type: 'string', format: 'int-or-string', description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.' },
  [RAW_EXTENSION]: { type: 'object', description: 'RawExtension is used to hold extensions in external versions: an embedded object of any kind.' },
  [`${META}Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
};

const SCALARS: Record<string, OpenAPISchema> = {
  string: { type: 'string' },
  byte: { type: 'string', format: 'byte' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
};

const NAMED_LEAVES: Record<string, string> = {
  'date-time': TIME,
  'date-time-micro': MICRO_TIME,
  quantity: QUANTITY,
  'int-or-string': INT_OR_STRING,
  any: RAW_EXTENSION,
};

const ref = (id: string): OpenAPISchema => ({ $ref: `${COMPONENT_PREFIX}${id}` });

/** The schema of a type reference; named types it uses are added to `queue`. */
function schemaOf(typeRef: TypeRef, queue: string[]): OpenAPISchema {
  if (typeRef.startsWith('[]')) return { type: 'array', items: schemaOf(typeRef.slice(2), queue) };
  if (typeRef.startsWith('{}')) return { type: 'object', additionalProperties: schemaOf(typeRef.slice(2), queue) };
  if (SCALARS[typeRef]) return { ...SCALARS[typeRef] };
  const id = NAMED_LEAVES[typeRef] ?? typeRef;
  queue.push(id);
  return ref(id);
}

function componentOf(id: string, queue: string[]): OpenAPISchema {
  if (LEAVES[id]) return LEAVES[id];
  const def = modelType(id);
  if (!def) throw new Error(`the model has no type ${id}`);
  const docs = modelDocs(id) ?? {};
  const always = new Set(def.always ?? []);
  const properties: Record<string, OpenAPISchema> = {};
  for (const [name, typeRef] of Object.entries(def.props)) {
    let s = schemaOf(typeRef, queue);
    const extra: OpenAPISchema = {};
    if (docs[name]) extra.description = docs[name];
    // A non-pointer struct: Kubernetes publishes its default, which kubectl explain shows.
    if (always.has(name) && s.$ref && modelType(typeRef)) extra.default = {};
    const patch = def.patch?.[name];
    if (patch) {
      const { strategies, mergeKey } = parsePatch(patch);
      extra['x-kubernetes-patch-strategy'] = strategies.join(',');
      if (mergeKey) {
        extra['x-kubernetes-patch-merge-key'] = mergeKey;
        extra['x-kubernetes-list-type'] = 'map';
        extra['x-kubernetes-list-map-keys'] = [mergeKey];
      } else if (strategies.includes('merge')) {
        extra['x-kubernetes-list-type'] = 'set';
      }
    }
    // Kubernetes wraps a $ref in allOf whenever the property carries keywords of its own.
    if (s.$ref && Object.keys(extra).length) s = { allOf: [s] };
    properties[name] = { ...s, ...extra };
  }
  const out: OpenAPISchema = {};
  if (docs['']) out.description = docs[''];
  out.type = 'object';
  out.properties = properties;
  if (def.required?.length) out.required = [...def.required];
  if (def.gvk) out['x-kubernetes-group-version-kind'] = def.gvk.map(([group, version, kind]) => ({ group, kind, version }));
  return out;
}

/**
 * The components.schemas entries of `roots` and of every type they reference, sorted by name.
 * `roots` are OpenAPI names of model types (or apimachinery leaves such as `...meta.v1.Patch`).
 */
export function openAPIComponents(roots: readonly string[]): Record<string, OpenAPISchema> {
  const out: Record<string, OpenAPISchema> = {};
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (Object.hasOwn(out, id)) continue;
    out[id] = componentOf(id, queue);
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}
