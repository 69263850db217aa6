import type { z } from 'zod';
import { type ResourceInfo } from '../resources.ts';
export type KindSchema = z.ZodType;
/** The zod schema of a kind (resources.ts entries, plus Binding, Scale, DeleteOptions, Status, Table). */
export declare function schemaFor(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): KindSchema | undefined;
export declare function listSchemaFor(r: Pick<ResourceInfo, 'group' | 'version' | 'kind'>): KindSchema | undefined;
/** Every schema, top-level kinds first; the OpenAPI builder walks references from these. */
export declare function allKindSchemas(): KindSchema[];
/** Stand-in ResourceInfo-like keys for the non-resource kinds above. */
export declare const SCALE_KIND: {
    readonly group: "autoscaling";
    readonly version: "v1";
    readonly kind: "Scale";
};
export declare const BINDING_KIND: {
    readonly group: "";
    readonly version: "v1";
    readonly kind: "Binding";
};
export declare const DELETE_OPTIONS_KIND: {
    readonly group: "";
    readonly version: "v1";
    readonly kind: "DeleteOptions";
};
