import { z } from 'zod';
import { MicroTimeSchema, TimeSchema } from './common.ts';
export declare const OwnerReferenceSchema: z.ZodObject<{
    apiVersion: z.ZodString;
    kind: z.ZodString;
    name: z.ZodString;
    uid: z.ZodString;
    controller: z.ZodOptional<z.ZodBoolean>;
    blockOwnerDeletion: z.ZodOptional<z.ZodBoolean>;
}, z.core.$strip>;
export declare const ManagedFieldsEntrySchema: z.ZodObject<{
    manager: z.ZodOptional<z.ZodString>;
    operation: z.ZodOptional<z.ZodString>;
    apiVersion: z.ZodOptional<z.ZodString>;
    time: z.ZodOptional<z.ZodString>;
    fieldsType: z.ZodOptional<z.ZodString>;
    fieldsV1: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
    subresource: z.ZodOptional<z.ZodString>;
}, z.core.$strip>;
export declare const ObjectMetaSchema: z.ZodObject<{
    name: z.ZodOptional<z.ZodString>;
    generateName: z.ZodOptional<z.ZodString>;
    namespace: z.ZodOptional<z.ZodString>;
    selfLink: z.ZodOptional<z.ZodString>;
    uid: z.ZodOptional<z.ZodString>;
    resourceVersion: z.ZodOptional<z.ZodString>;
    generation: z.ZodOptional<z.ZodInt>;
    creationTimestamp: z.ZodOptional<z.ZodString>;
    deletionTimestamp: z.ZodOptional<z.ZodString>;
    deletionGracePeriodSeconds: z.ZodOptional<z.ZodInt>;
    labels: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
    annotations: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
    ownerReferences: z.ZodOptional<z.ZodArray<z.ZodObject<{
        apiVersion: z.ZodString;
        kind: z.ZodString;
        name: z.ZodString;
        uid: z.ZodString;
        controller: z.ZodOptional<z.ZodBoolean>;
        blockOwnerDeletion: z.ZodOptional<z.ZodBoolean>;
    }, z.core.$strip>>>;
    finalizers: z.ZodOptional<z.ZodArray<z.ZodString>>;
    managedFields: z.ZodOptional<z.ZodArray<z.ZodObject<{
        manager: z.ZodOptional<z.ZodString>;
        operation: z.ZodOptional<z.ZodString>;
        apiVersion: z.ZodOptional<z.ZodString>;
        time: z.ZodOptional<z.ZodString>;
        fieldsType: z.ZodOptional<z.ZodString>;
        fieldsV1: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
        subresource: z.ZodOptional<z.ZodString>;
    }, z.core.$strip>>>;
}, z.core.$strip>;
export declare const ListMetaSchema: z.ZodObject<{
    selfLink: z.ZodOptional<z.ZodString>;
    resourceVersion: z.ZodOptional<z.ZodString>;
    continue: z.ZodOptional<z.ZodString>;
    remainingItemCount: z.ZodOptional<z.ZodInt>;
}, z.core.$strip>;
export declare const LabelSelectorRequirementSchema: z.ZodObject<{
    key: z.ZodString;
    operator: z.ZodString;
    values: z.ZodOptional<z.ZodArray<z.ZodString>>;
}, z.core.$strip>;
export declare const LabelSelectorSchema: z.ZodObject<{
    matchLabels: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>;
    matchExpressions: z.ZodOptional<z.ZodArray<z.ZodObject<{
        key: z.ZodString;
        operator: z.ZodString;
        values: z.ZodOptional<z.ZodArray<z.ZodString>>;
    }, z.core.$strip>>>;
}, z.core.$strip>;
export declare const StatusCauseSchema: z.ZodObject<{
    reason: z.ZodOptional<z.ZodString>;
    message: z.ZodOptional<z.ZodString>;
    field: z.ZodOptional<z.ZodString>;
}, z.core.$strip>;
export declare const StatusDetailsSchema: z.ZodObject<{
    name: z.ZodOptional<z.ZodString>;
    group: z.ZodOptional<z.ZodString>;
    kind: z.ZodOptional<z.ZodString>;
    uid: z.ZodOptional<z.ZodString>;
    causes: z.ZodOptional<z.ZodArray<z.ZodObject<{
        reason: z.ZodOptional<z.ZodString>;
        message: z.ZodOptional<z.ZodString>;
        field: z.ZodOptional<z.ZodString>;
    }, z.core.$strip>>>;
    retryAfterSeconds: z.ZodOptional<z.ZodInt32>;
}, z.core.$strip>;
export declare const StatusSchema: z.ZodObject<{
    apiVersion: z.ZodOptional<z.ZodString>;
    kind: z.ZodOptional<z.ZodString>;
    metadata: z.ZodObject<{
        selfLink: z.ZodOptional<z.ZodString>;
        resourceVersion: z.ZodOptional<z.ZodString>;
        continue: z.ZodOptional<z.ZodString>;
        remainingItemCount: z.ZodOptional<z.ZodInt>;
    }, z.core.$strip>;
    status: z.ZodOptional<z.ZodString>;
    message: z.ZodOptional<z.ZodString>;
    reason: z.ZodOptional<z.ZodString>;
    details: z.ZodOptional<z.ZodObject<{
        name: z.ZodOptional<z.ZodString>;
        group: z.ZodOptional<z.ZodString>;
        kind: z.ZodOptional<z.ZodString>;
        uid: z.ZodOptional<z.ZodString>;
        causes: z.ZodOptional<z.ZodArray<z.ZodObject<{
            reason: z.ZodOptional<z.ZodString>;
            message: z.ZodOptional<z.ZodString>;
            field: z.ZodOptional<z.ZodString>;
        }, z.core.$strip>>>;
        retryAfterSeconds: z.ZodOptional<z.ZodInt32>;
    }, z.core.$strip>>;
    code: z.ZodOptional<z.ZodInt32>;
}, z.core.$strip>;
export declare const PreconditionsSchema: z.ZodObject<{
    uid: z.ZodOptional<z.ZodString>;
    resourceVersion: z.ZodOptional<z.ZodString>;
}, z.core.$strip>;
export declare const DeleteOptionsSchema: z.ZodObject<{
    apiVersion: z.ZodOptional<z.ZodString>;
    kind: z.ZodOptional<z.ZodString>;
    gracePeriodSeconds: z.ZodOptional<z.ZodInt>;
    preconditions: z.ZodOptional<z.ZodObject<{
        uid: z.ZodOptional<z.ZodString>;
        resourceVersion: z.ZodOptional<z.ZodString>;
    }, z.core.$strip>>;
    orphanDependents: z.ZodOptional<z.ZodBoolean>;
    propagationPolicy: z.ZodOptional<z.ZodString>;
    dryRun: z.ZodOptional<z.ZodArray<z.ZodString>>;
    ignoreStoreReadErrorWithClusterBreakingPotential: z.ZodOptional<z.ZodBoolean>;
}, z.core.$strip>;
export declare const TableColumnDefinitionSchema: z.ZodObject<{
    name: z.ZodString;
    type: z.ZodString;
    format: z.ZodString;
    description: z.ZodString;
    priority: z.ZodInt32;
}, z.core.$strip>;
export declare const TableRowConditionSchema: z.ZodObject<{
    type: z.ZodString;
    status: z.ZodString;
    reason: z.ZodOptional<z.ZodString>;
    message: z.ZodOptional<z.ZodString>;
}, z.core.$strip>;
export declare const TableRowSchema: z.ZodObject<{
    cells: z.ZodArray<z.ZodUnknown>;
    conditions: z.ZodOptional<z.ZodArray<z.ZodObject<{
        type: z.ZodString;
        status: z.ZodString;
        reason: z.ZodOptional<z.ZodString>;
        message: z.ZodOptional<z.ZodString>;
    }, z.core.$strip>>>;
    object: z.ZodOptional<z.ZodUnknown>;
}, z.core.$strip>;
export declare const TableSchema: z.ZodObject<{
    apiVersion: z.ZodOptional<z.ZodString>;
    kind: z.ZodOptional<z.ZodString>;
    metadata: z.ZodObject<{
        selfLink: z.ZodOptional<z.ZodString>;
        resourceVersion: z.ZodOptional<z.ZodString>;
        continue: z.ZodOptional<z.ZodString>;
        remainingItemCount: z.ZodOptional<z.ZodInt>;
    }, z.core.$strip>;
    columnDefinitions: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        type: z.ZodString;
        format: z.ZodString;
        description: z.ZodString;
        priority: z.ZodInt32;
    }, z.core.$strip>>;
    rows: z.ZodArray<z.ZodObject<{
        cells: z.ZodArray<z.ZodUnknown>;
        conditions: z.ZodOptional<z.ZodArray<z.ZodObject<{
            type: z.ZodString;
            status: z.ZodString;
            reason: z.ZodOptional<z.ZodString>;
            message: z.ZodOptional<z.ZodString>;
        }, z.core.$strip>>>;
        object: z.ZodOptional<z.ZodUnknown>;
    }, z.core.$strip>>;
}, z.core.$strip>;
export declare const WatchEventSchema: z.ZodObject<{
    type: z.ZodString;
    object: z.ZodUnknown;
}, z.core.$strip>;
/** A `XList` kind: the shape every list response has. */
export declare function listOf<T extends z.ZodType>(item: T, id: string, group: string, version: string, kind: string): z.ZodObject<{
    apiVersion: z.ZodString;
    kind: z.ZodString;
    metadata: z.ZodObject<{
        selfLink: z.ZodOptional<z.ZodString>;
        resourceVersion: z.ZodOptional<z.ZodString>;
        continue: z.ZodOptional<z.ZodString>;
        remainingItemCount: z.ZodOptional<z.ZodInt>;
    }, z.core.$strip>;
    items: z.ZodArray<T>;
}, z.core.$strip>;
export type OwnerReferenceT = z.output<typeof OwnerReferenceSchema>;
export type ListMeta = z.output<typeof ListMetaSchema>;
export type LabelSelectorT = z.output<typeof LabelSelectorSchema>;
export type Status = z.output<typeof StatusSchema>;
export type StatusCause = z.output<typeof StatusCauseSchema>;
export type DeleteOptions = z.output<typeof DeleteOptionsSchema>;
export type TableColumnDefinition = z.output<typeof TableColumnDefinitionSchema>;
export type TableRow = z.output<typeof TableRowSchema>;
export type Table = z.output<typeof TableSchema>;
export type Time = string;
export type MicroTime = string;
export { MicroTimeSchema, TimeSchema };
