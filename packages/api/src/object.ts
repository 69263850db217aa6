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

/**
 * An object of a kind as defaulting and validation see it: decoded, so every field that is there
 * has its model type, but not yet validated, so any field may be missing (the generated types mark
 * the fields Kubernetes serialises always as required).
 */
export type Incoming<T> = T extends readonly (infer E)[]
  ? Incoming<E>[]
  : T extends object
    ? string extends keyof T
      ? { [K in keyof T]: Incoming<T[K]> } // a map (labels, data): its entries are not optional fields
      : { -readonly [K in keyof T]?: Incoming<T[K]> }
    : T;

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
