import { z } from 'zod';
export declare const META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1";
export declare const CORE_V1 = "io.k8s.api.core.v1";
export declare const APPS_V1 = "io.k8s.api.apps.v1";
export declare const COORDINATION_V1 = "io.k8s.api.coordination.v1";
export declare const AUTOSCALING_V1 = "io.k8s.api.autoscaling.v1";
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
export declare function kobj<S extends z.ZodRawShape>(id: string, shape: S, doc?: ObjectDoc): z.ZodObject<{ -readonly [P in keyof S]: S[P]; }, z.core.$strip>;
export declare const ostr: () => z.ZodOptional<z.ZodString>;
export declare const oint32: () => z.ZodOptional<z.ZodInt32>;
export declare const oint64: () => z.ZodOptional<z.ZodInt>;
export declare const obool: () => z.ZodOptional<z.ZodBoolean>;
export declare const onum: () => z.ZodOptional<z.ZodNumber>;
export declare const ostrs: () => z.ZodOptional<z.ZodArray<z.ZodString>>;
export declare const ostrmap: () => z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
export declare const TimeSchema: z.ZodString;
export declare const MicroTimeSchema: z.ZodString;
export declare const IntOrStringSchema: z.ZodUnion<readonly [z.ZodInt, z.ZodString]>;
/**
 * A resource quantity. Accepts a string or a JSON number (as Go does) and stores the canonical
 * string, which is why `cpu: 1.5` reads back as `1500m` from Kubernetes.
 */
export declare const QuantitySchema: z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<string, string | number>>;
export declare const ResourceListSchema: z.ZodRecord<z.ZodString, z.ZodPipe<z.ZodUnion<readonly [z.ZodString, z.ZodNumber]>, z.ZodTransform<string, string | number>>>;
export declare function gvk(group: string, version: string, kind: string): GroupVersionKind[];
