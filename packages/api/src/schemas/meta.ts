// meta/v1 types shared by every kind: ObjectMeta, ListMeta, LabelSelector, Status,
// DeleteOptions, Table. Field names and docs follow k8s.io/apimachinery/pkg/apis/meta/v1.

import { z } from 'zod';
import { kobj, META_V1, MicroTimeSchema, oint32, oint64, obool, ostr, ostrmap, ostrs, TimeSchema, gvk } from './common.ts';

export const OwnerReferenceSchema = kobj(
  `${META_V1}.OwnerReference`,
  {
    apiVersion: z.string(),
    kind: z.string(),
    name: z.string(),
    uid: z.string(),
    controller: obool(),
    blockOwnerDeletion: obool(),
  },
  {
    description: 'OwnerReference contains enough information to let you identify an owning object.',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    fields: { controller: 'If true, this reference points to the managing controller.' },
  },
);

export const ManagedFieldsEntrySchema = kobj(
  `${META_V1}.ManagedFieldsEntry`,
  {
    manager: ostr(),
    operation: ostr(),
    apiVersion: ostr(),
    time: TimeSchema.optional(),
    fieldsType: ostr(),
    fieldsV1: z.record(z.string(), z.unknown()).optional(),
    subresource: ostr(),
  },
  { description: 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.' },
);

export const ObjectMetaSchema = kobj(
  `${META_V1}.ObjectMeta`,
  {
    name: ostr(),
    generateName: ostr(),
    namespace: ostr(),
    selfLink: ostr(),
    uid: ostr(),
    resourceVersion: ostr(),
    generation: oint64(),
    creationTimestamp: TimeSchema.optional(),
    deletionTimestamp: TimeSchema.optional(),
    deletionGracePeriodSeconds: oint64(),
    labels: ostrmap(),
    annotations: ostrmap(),
    ownerReferences: z.array(OwnerReferenceSchema).optional(),
    finalizers: ostrs(),
    managedFields: z.array(ManagedFieldsEntrySchema).optional(),
  },
  {
    description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
    fields: {
      name: 'Name must be unique within a namespace. Cannot be updated.',
      generateName: 'Optional prefix used by the server to generate a unique name if name is not provided.',
      namespace: 'Namespace defines the space within which each name must be unique. Cannot be updated.',
      uid: 'UID is the unique in time and space value for this object. Populated by the system. Read-only.',
      resourceVersion: 'An opaque value that represents the internal version of this object, used for optimistic concurrency.',
      generation: 'A sequence number representing a specific generation of the desired state. Populated by the system.',
      labels: 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.',
      annotations: 'Unstructured key value map stored with a resource that may be set by external tools.',
      ownerReferences: 'List of objects depended by this object.',
      finalizers: 'Must be empty before the object is deleted from the registry.',
    },
  },
);

export const ListMetaSchema = kobj(
  `${META_V1}.ListMeta`,
  { selfLink: ostr(), resourceVersion: ostr(), continue: ostr(), remainingItemCount: oint64() },
  { description: 'ListMeta describes metadata that synthetic resources must have, including lists.' },
);

export const LabelSelectorRequirementSchema = kobj(
  `${META_V1}.LabelSelectorRequirement`,
  { key: z.string(), operator: z.string(), values: ostrs() },
  {
    description: 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
    required: ['key', 'operator'],
    fields: { operator: "Valid operators are In, NotIn, Exists and DoesNotExist." },
  },
);

export const LabelSelectorSchema = kobj(
  `${META_V1}.LabelSelector`,
  { matchLabels: ostrmap(), matchExpressions: z.array(LabelSelectorRequirementSchema).optional() },
  {
    description:
      'A label selector is a label query over a set of resources. An empty label selector matches all objects. A null label selector matches no objects.',
  },
);

export const StatusCauseSchema = kobj(
  `${META_V1}.StatusCause`,
  { reason: ostr(), message: ostr(), field: ostr() },
  { description: 'StatusCause provides more information about an api.Status failure.' },
);

export const StatusDetailsSchema = kobj(
  `${META_V1}.StatusDetails`,
  { name: ostr(), group: ostr(), kind: ostr(), uid: ostr(), causes: z.array(StatusCauseSchema).optional(), retryAfterSeconds: oint32() },
  { description: 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.' },
);

export const StatusSchema = kobj(
  `${META_V1}.Status`,
  {
    apiVersion: ostr(),
    kind: ostr(),
    metadata: ListMetaSchema,
    status: ostr(),
    message: ostr(),
    reason: ostr(),
    details: StatusDetailsSchema.optional(),
    code: oint32(),
  },
  { description: 'Status is a return value for calls that don\'t return other objects.', gvk: gvk('', 'v1', 'Status') },
);

export const PreconditionsSchema = kobj(
  `${META_V1}.Preconditions`,
  { uid: ostr(), resourceVersion: ostr() },
  { description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.' },
);

export const DeleteOptionsSchema = kobj(
  `${META_V1}.DeleteOptions`,
  {
    apiVersion: ostr(),
    kind: ostr(),
    gracePeriodSeconds: oint64(),
    preconditions: PreconditionsSchema.optional(),
    orphanDependents: obool(),
    propagationPolicy: ostr(),
    dryRun: ostrs(),
    ignoreStoreReadErrorWithClusterBreakingPotential: obool(),
  },
  {
    description: 'DeleteOptions may be provided when deleting an API object.',
    fields: { propagationPolicy: "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'." },
    gvk: [
      { group: '', version: 'v1', kind: 'DeleteOptions' },
      { group: 'apps', version: 'v1', kind: 'DeleteOptions' },
      { group: 'coordination.k8s.io', version: 'v1', kind: 'DeleteOptions' },
      { group: 'meta.k8s.io', version: 'v1', kind: 'DeleteOptions' },
    ],
  },
);

export const TableColumnDefinitionSchema = kobj(
  `${META_V1}.TableColumnDefinition`,
  { name: z.string(), type: z.string(), format: z.string(), description: z.string(), priority: z.int32() },
  { description: 'TableColumnDefinition contains information about a column returned in the Table.', required: ['name', 'type', 'format', 'description', 'priority'] },
);

export const TableRowConditionSchema = kobj(
  `${META_V1}.TableRowCondition`,
  { type: z.string(), status: z.string(), reason: ostr(), message: ostr() },
  { required: ['type', 'status'] },
);

export const TableRowSchema = kobj(
  `${META_V1}.TableRow`,
  { cells: z.array(z.unknown()), conditions: z.array(TableRowConditionSchema).optional(), object: z.unknown().optional() },
  { description: 'TableRow is an individual row in a table.', required: ['cells'] },
);

export const TableSchema = kobj(
  `${META_V1}.Table`,
  {
    apiVersion: ostr(),
    kind: ostr(),
    metadata: ListMetaSchema,
    columnDefinitions: z.array(TableColumnDefinitionSchema),
    rows: z.array(TableRowSchema),
  },
  { description: 'Table is a tabular representation of a set of API resources.', required: ['columnDefinitions', 'rows'], gvk: gvk('meta.k8s.io', 'v1', 'Table') },
);

export const WatchEventSchema = kobj(
  `${META_V1}.WatchEvent`,
  { type: z.string(), object: z.unknown() },
  { description: 'Event represents a single event to a watched resource.', required: ['type', 'object'] },
);

/** A `XList` kind: the shape every list response has. */
export function listOf<T extends z.ZodType>(item: T, id: string, group: string, version: string, kind: string) {
  return kobj(
    id,
    { apiVersion: z.string(), kind: z.string(), metadata: ListMetaSchema, items: z.array(item) },
    { description: `${kind} is a list of ${kind.replace(/List$/, '')} objects.`, required: ['items'], gvk: gvk(group, version, kind) },
  );
}

export type OwnerReferenceT = z.output<typeof OwnerReferenceSchema>;
export type ListMeta = z.output<typeof ListMetaSchema>;
export type LabelSelectorT = z.output<typeof LabelSelectorSchema>;
export type Status = z.output<typeof StatusSchema>;
export type StatusCause = z.output<typeof StatusCauseSchema>;
export type StatusDetails = z.output<typeof StatusDetailsSchema>;
export type DeleteOptions = z.output<typeof DeleteOptionsSchema>;
export type TableColumnDefinition = z.output<typeof TableColumnDefinitionSchema>;
export type TableRow = z.output<typeof TableRowSchema>;
export type Table = z.output<typeof TableSchema>;
export type Time = string;
export type MicroTime = string;
export { MicroTimeSchema, TimeSchema };
