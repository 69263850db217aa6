// A few helpers to write OpenAPI 3.0 schemas in the shape kube-apiserver publishes them:
// references wrapped in `allOf` so a description can sit beside them, list fields carrying their
// strategic-merge keys (kubectl apply reads these to build its patches).

export type Schema = { [key: string]: unknown };

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const CORE = 'io.k8s.api.core.v1.';
export const APPS = 'io.k8s.api.apps.v1.';
export const AUTOSCALING = 'io.k8s.api.autoscaling.v1.';
export const COORDINATION = 'io.k8s.api.coordination.v1.';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export const refPath = (name: string) => `#/components/schemas/${name}`;

export function str(description: string, extra: Schema = {}): Schema {
  return { type: 'string', description, ...extra };
}

export function int(description: string, format: 'int32' | 'int64' = 'int32'): Schema {
  return { type: 'integer', format, description };
}

export function bool(description: string): Schema {
  return { type: 'boolean', description };
}

export function time(description: string): Schema {
  return { type: 'string', format: 'date-time', description };
}

export function strMap(description: string): Schema {
  return { type: 'object', additionalProperties: { type: 'string', default: '' }, description };
}

export function strList(description: string, patch?: 'merge'): Schema {
  const s: Schema = { type: 'array', items: { type: 'string', default: '' }, description };
  if (patch) {
    s['x-kubernetes-patch-strategy'] = patch;
    s['x-kubernetes-list-type'] = 'set';
  } else {
    s['x-kubernetes-list-type'] = 'atomic';
  }
  return s;
}

/** A field whose type is another named schema. */
export function ref(name: string, description: string, extra: Schema = {}): Schema {
  return { allOf: [{ $ref: refPath(name) }], description, default: {}, ...extra };
}

/** A map of named schemas, e.g. resource quantities. */
export function refMap(name: string, description: string): Schema {
  return { type: 'object', additionalProperties: { $ref: refPath(name) }, description };
}

export interface ListPatch {
  /** x-kubernetes-patch-merge-key: elements are merged by this field. */
  key: string;
  /** x-kubernetes-patch-strategy, `merge` or `merge,retainKeys`. */
  strategy?: string;
  /** x-kubernetes-list-map-keys when it differs from [key]. */
  mapKeys?: string[];
}

/** A list of named schemas; with `patch`, strategic merge patches merge it by key. */
export function list(name: string, description: string, patch?: ListPatch): Schema {
  const s: Schema = { type: 'array', items: { allOf: [{ $ref: refPath(name) }], default: {} }, description };
  if (patch) {
    s['x-kubernetes-patch-merge-key'] = patch.key;
    s['x-kubernetes-patch-strategy'] = patch.strategy ?? 'merge';
    s['x-kubernetes-list-type'] = 'map';
    s['x-kubernetes-list-map-keys'] = patch.mapKeys ?? [patch.key];
  } else {
    s['x-kubernetes-list-type'] = 'atomic';
  }
  return s;
}

export function obj(description: string, properties: Record<string, Schema>, required?: string[]): Schema {
  const s: Schema = { type: 'object', description, properties };
  if (required && required.length) s.required = required;
  return s;
}

/** The apiVersion / kind / metadata triple every top-level object starts with. */
export function typeMeta(): Record<string, Schema> {
  return {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object, e.g. `apps/v1`.'),
    kind: str('Kind is a string value representing the REST resource this object represents, e.g. `Deployment`.'),
  };
}

export function topLevel(description: string, specName: string | null, statusName: string | null, extra: Record<string, Schema> = {}): Schema {
  const properties: Record<string, Schema> = {
    ...typeMeta(),
    metadata: ref(`${META}ObjectMeta`, "Standard object's metadata."),
  };
  if (specName) properties.spec = ref(specName, 'Spec defines the desired behavior of this object.');
  if (statusName) properties.status = ref(statusName, 'Status is the most recently observed status of this object. Read-only.');
  return obj(description, { ...properties, ...extra });
}

/** The XxxList schema: a ListMeta plus items of the kind. */
export function listOf(itemName: string, kind: string): Schema {
  return obj(
    `${kind}List is a list of ${kind} objects.`,
    {
      ...typeMeta(),
      items: { type: 'array', items: { allOf: [{ $ref: refPath(itemName) }], default: {} }, description: `List of ${kind} objects.` },
      metadata: ref(`${META}ListMeta`, "Standard list metadata."),
    },
    ['items'],
  );
}
