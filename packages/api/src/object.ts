// The shape every stored object shares. Per-kind types come from the generated model (./model).

import type { ObjectMeta } from './model/types.generated.ts';

export type { ObjectMeta, OwnerReference } from './model/types.generated.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [field: string]: unknown;
}

/** One failing field, as Kubernetes reports it in a 422 Status's details.causes. */
export interface FieldCause {
  reason:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotFound'
    | 'FieldValueTooMany';
  message: string;
  /** Dotted path with indices, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
}
