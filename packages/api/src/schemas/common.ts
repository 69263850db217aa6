// Building blocks for the per-kind zod schemas. Every object schema is created through kobj()
// so it carries the Kubernetes OpenAPI name (`io.k8s.api.core.v1.Container`), its docs and its
// OpenAPI `required` list as metadata; the OpenAPI generator and the decoder read those.
//
// Convention: a property that is not `.optional()` is one Go always serialises (a field without
// omitempty, or a non-pointer struct). The decoder fills it with its zero value when absent,
// exactly like Go's JSON decoding, and validation then reports "Required value" where needed.

import { z } from 'zod';
import { canonicalQuantity, QUANTITY_FORMAT_ERROR, QuantityError } from '../quantity.ts';

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const CORE_V1 = 'io.k8s.api.core.v1';
export const APPS_V1 = 'io.k8s.api.apps.v1';
export const COORDINATION_V1 = 'io.k8s.api.coordination.v1';
export const AUTOSCALING_V1 = 'io.k8s.api.autoscaling.v1';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ObjectDoc {
  description?: string;
  /** OpenAPI `required` (what `kubectl explain` marks -required-). */
  required?: string[];
  /** Per-field descriptions for OpenAPI / kubectl explain. */
  fields?: Record<string, string>;
  /** Set on top-level kinds: becomes `x-kubernetes-group-version-kind`. */
  gvk?: GroupVersionKind[];
}

/** Metadata stored on every kobj() schema. */
export interface KubeSchemaMeta {
  id: string;
  description?: string;
  k8sRequired?: string[];
  fieldDocs?: Record<string, string>;
  gvk?: GroupVersionKind[];
}

export function kobj<S extends z.ZodRawShape>(id: string, shape: S, doc: ObjectDoc = {}) {
  const meta: KubeSchemaMeta = { id };
  if (doc.description) meta.description = doc.description;
  if (doc.required) meta.k8sRequired = doc.required;
  if (doc.fields) meta.fieldDocs = doc.fields;
  if (doc.gvk) meta.gvk = doc.gvk;
  return z.object(shape).meta(meta as unknown as Record<string, unknown>);
}

// Terse constructors for optional scalars; the object shapes below stay readable with them.
export const ostr = () => z.string().optional();
export const oint32 = () => z.int32().optional();
export const oint64 = () => z.int().optional();
export const obool = () => z.boolean().optional();
export const onum = () => z.number().optional();
export const ostrs = () => z.array(z.string()).optional();
export const ostrmap = () => z.record(z.string(), z.string()).optional();

export const TimeSchema = z.string().meta({
  id: `${META_V1}.Time`,
  description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. RFC 3339, e.g. 2024-01-02T15:04:05Z.',
  format: 'date-time',
});

export const MicroTimeSchema = z.string().meta({
  id: `${META_V1}.MicroTime`,
  description: 'MicroTime is version of Time with microsecond level precision, e.g. 2024-01-02T15:04:05.000000Z.',
  format: 'date-time',
});

export const IntOrStringSchema = z.union([z.int(), z.string()]).meta({
  id: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  description: 'IntOrString is a type that can hold an int32 or a string.',
});

/**
 * A resource quantity. Accepts a string or a JSON number (as Go does) and stores the canonical
 * string, which is why `cpu: 1.5` reads back as `1500m` from Kubernetes.
 */
export const QuantitySchema = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return canonicalQuantity(v);
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: e instanceof QuantityError ? e.message : QUANTITY_FORMAT_ERROR, input: v });
      return z.NEVER;
    }
  })
  .meta({
    id: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
    description:
      "Quantity is a fixed-point representation of a number, e.g. '500m', '1.5', '128Mi', '1G', '2e3'. Serialized in canonical form.",
  });

export const ResourceListSchema = z.record(z.string(), QuantitySchema);

export function gvk(group: string, version: string, kind: string): GroupVersionKind[] {
  return [{ group, version, kind }];
}
