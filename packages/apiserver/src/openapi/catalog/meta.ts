// meta.k8s.io/v1 and the shared scalar types (IntOrString, Quantity).
import { INT_OR_STRING, META, QUANTITY, bool, int, list, obj, ref, str, strList, strMap, time, typeMeta } from './dsl.ts';
import type { Schema } from './dsl.ts';

export const metaSchemas: Record<string, Schema> = {
  [INT_OR_STRING]: {
    type: 'string',
    format: 'int-or-string',
    description: 'An integer or a string, e.g. a port number or a port name, a count or a percentage ("25%").',
  },
  [QUANTITY]: {
    type: 'string',
    description: 'A fixed-point number with an optional SI or binary suffix, e.g. "100m" CPU, "128Mi" memory.',
  },
  [`${META}ObjectMeta`]: obj('Metadata that all persisted resources must have.', {
    name: str('Name must be unique within a namespace. Cannot be updated.'),
    generateName: str('Optional prefix from which the server generates a unique name when name is empty.'),
    namespace: str('The namespace the object lives in; empty for cluster-scoped objects.'),
    uid: str('Unique identifier of this object, set by the server. Read-only.'),
    resourceVersion: str('Opaque version of this object, used for optimistic concurrency and watches. Read-only.'),
    generation: int('Sequence number of a specific generation of the desired state. Read-only.', 'int64'),
    creationTimestamp: time('When this object was created, set by the server. Read-only.'),
    deletionTimestamp: time('When this object will be deleted; set when a graceful deletion is requested. Read-only.'),
    deletionGracePeriodSeconds: int('Seconds allowed for this object to terminate gracefully. Read-only.', 'int64'),
    labels: strMap('Map of string keys and values used to organize and select objects.'),
    annotations: strMap('Unstructured key value map for arbitrary metadata of tools and users.'),
    ownerReferences: list(`${META}OwnerReference`, 'Objects this object depends on; when all owners are gone it is garbage collected.', {
      key: 'uid',
    }),
    finalizers: strList('Must be empty before the object is deleted from the registry.', 'merge'),
    managedFields: list(`${META}ManagedFieldsEntry`, 'Which manager owns which fields (server-side apply).'),
  }),
  [`${META}OwnerReference`]: obj(
    'Enough information to identify an owning object in the same namespace.',
    {
      apiVersion: str('API version of the referent.'),
      kind: str('Kind of the referent.'),
      name: str('Name of the referent.'),
      uid: str('UID of the referent.'),
      controller: bool('If true, this reference points to the managing controller.'),
      blockOwnerDeletion: bool('If true, the owner cannot be deleted from storage before this object (foreground deletion).'),
    },
    ['apiVersion', 'kind', 'name', 'uid'],
  ),
  [`${META}ManagedFieldsEntry`]: obj('The workflow that manages a set of fields.', {
    manager: str('Identifier of the workflow managing these fields.'),
    operation: str('The operation that caused this entry: Apply or Update.'),
    apiVersion: str('Version of the resource the fields are in.'),
    time: time('When these fields were last changed.'),
    fieldsType: str('Format of fieldsV1; only "FieldsV1".'),
    fieldsV1: { type: 'object', description: 'The set of fields, as a trie.' },
    subresource: str('The subresource used to update the object, if any.'),
  }),
  [`${META}ListMeta`]: obj('Metadata that synthetic resources (lists) must have.', {
    resourceVersion: str('The version of the list, usable to start a watch.'),
    continue: str('Set when more items are available; pass it back to fetch the next page.'),
    remainingItemCount: int('Number of items after this page, when known.', 'int64'),
  }),
  [`${META}LabelSelector`]: obj('A label query over a set of resources. The requirements are ANDed; an empty selector matches everything.', {
    matchLabels: strMap('{key: value} pairs, each equivalent to an "In" expression with one value.'),
    matchExpressions: list(`${META}LabelSelectorRequirement`, 'A list of label selector requirements.'),
  }),
  [`${META}LabelSelectorRequirement`]: obj(
    'A selector that contains values, a key, and an operator that relates them.',
    {
      key: str('The label key that the selector applies to.'),
      operator: str('One of In, NotIn, Exists and DoesNotExist.'),
      values: strList('Values for In and NotIn; must be empty for Exists and DoesNotExist.'),
    },
    ['key', 'operator'],
  ),
  [`${META}Status`]: obj('The result of an operation that does not return an object, or an error.', {
    ...typeMeta(),
    metadata: ref(`${META}ListMeta`, 'Standard list metadata.'),
    status: str('"Success" or "Failure".'),
    message: str('A human-readable description of this status.'),
    reason: str('A machine-readable description of why this operation failed, e.g. NotFound.'),
    details: { type: 'object', description: 'Extended data about the reason (name, kind, causes).' },
    code: int('Suggested HTTP return code for this status.'),
  }),
  [`${META}DeleteOptions`]: obj('Options for a deletion.', {
    ...typeMeta(),
    gracePeriodSeconds: int('Seconds before the object should be deleted; 0 means immediately.', 'int64'),
    propagationPolicy: str('Orphan, Background or Foreground: what happens to dependents.'),
    dryRun: strList('When present, the deletion is checked but not persisted. Only "All".'),
    preconditions: { type: 'object', description: 'Must be fulfilled before the deletion is carried out (uid, resourceVersion).' },
  }),
  [`${META}Patch`]: {
    type: 'object',
    description: 'A patch document: JSON Patch, JSON merge patch, strategic merge patch or apply configuration.',
  },
};
