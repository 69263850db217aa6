// ObjectMeta validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go plus the core
// finalizer rule), and the small shared checks on labels and label selectors.

import type { LabelSelector } from '../model/types.generated.ts';
import type { FieldCause, Incoming, ObjectMeta } from '../object.ts';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './strings.ts';
import { FIELD_IMMUTABLE, forbidden, formatValue, invalid, invalidEach, nonNegative, required, tooLong } from './errors.ts';

/** Validates a name; `prefix` is true for generateName, whose trailing '-' is allowed. */
export type NameFn = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
}

export const nameIsDNSSubdomain: NameFn = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameFn = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameFn = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

export function validateLabels(labels: Record<string, string> | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...invalidEach(field, k, isQualifiedName(k)));
    errs.push(...invalidEach(field, v, isValidLabelValue(v)));
  }
  return errs;
}

export function validateLabelName(key: string, field: string): FieldCause[] {
  return invalidEach(field, key, isQualifiedName(key));
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Record<string, string> | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    errs.push(...invalidEach(field, k, isQualifiedName(k.toLowerCase())));
    size += k.length + v.length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateFinalizerName(name: string, field: string): FieldCause[] {
  const errs = invalidEach(field, name, isQualifiedName(name));
  if (errs.length === 0 && !name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    errs.push(invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(f, `${field}[${i}]`)));
  if (finalizers?.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

function validateOwnerReferences(refs: Incoming<ObjectMeta>['ownerReferences'], field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const version = (ref.apiVersion ?? '').split('/').pop() ?? '';
    if (!version) errs.push(invalid(`${field}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(`${field}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(invalid(`${field}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(`${field}.uid`, ref.uid ?? '', 'must not be empty'));
    if (ref.controller === true) {
      const name = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`),
        );
      } else {
        firstController = name;
      }
    }
  }
  return errs;
}

/** ValidateObjectMeta for a create (name generation has already happened). */
export function validateObjectMeta(meta: Incoming<ObjectMeta> | undefined, namespaced: boolean, nameFn: NameFn, field = 'metadata'): FieldCause[] {
  const m = meta ?? {};
  const errs: FieldCause[] = [];
  if (m.generateName) errs.push(...invalidEach(`${field}.generateName`, m.generateName, nameFn(m.generateName, true)));
  if (!m.name) errs.push(required(`${field}.name`, 'name or generateName is required'));
  else errs.push(...invalidEach(`${field}.name`, m.name, nameFn(m.name, false)));
  if (namespaced) {
    if (!m.namespace) errs.push(required(`${field}.namespace`));
    else errs.push(...invalidEach(`${field}.namespace`, m.namespace, nameIsDNSLabel(m.namespace, false)));
  } else if (m.namespace) {
    errs.push(forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  errs.push(...nonNegative(`${field}.generation`, m.generation));
  errs.push(...validateLabels(m.labels, `${field}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${field}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${field}.finalizers`));
  return errs;
}

function immutable(field: string, next: unknown, prev: unknown): FieldCause[] {
  return next === prev ? [] : [invalid(field, next, FIELD_IMMUTABLE)];
}

/** ValidateObjectMetaUpdate: identity fields are immutable; labels etc. are re-checked. */
export function validateObjectMetaUpdate(meta: Incoming<ObjectMeta> | undefined, old: Incoming<ObjectMeta> | undefined, field = 'metadata'): FieldCause[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldCause[] = [];
  if (o.deletionTimestamp) {
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length > 0) {
      errs.push(
        forbidden(`${field}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => formatValue(f)).join(', ')}}`),
      );
    }
  }
  errs.push(...immutable(`${field}.name`, m.name ?? '', o.name ?? ''));
  errs.push(...immutable(`${field}.namespace`, m.namespace ?? '', o.namespace ?? ''));
  errs.push(...immutable(`${field}.uid`, m.uid ?? '', o.uid ?? ''));
  errs.push(...immutable(`${field}.creationTimestamp`, m.creationTimestamp ?? null, o.creationTimestamp ?? null));
  errs.push(...immutable(`${field}.deletionTimestamp`, m.deletionTimestamp ?? null, o.deletionTimestamp ?? null));
  errs.push(...immutable(`${field}.deletionGracePeriodSeconds`, m.deletionGracePeriodSeconds ?? null, o.deletionGracePeriodSeconds ?? null));
  errs.push(...nonNegative(`${field}.generation`, m.generation));
  errs.push(...validateLabels(m.labels, `${field}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${field}.ownerReferences`));
  (m.finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(f, `${field}.finalizers[${i}]`)));
  return errs;
}

type LabelSelectorLike = Incoming<LabelSelector>;

/** unversioned ValidateLabelSelector. */
export function validateLabelSelector(sel: LabelSelectorLike | undefined, field: string): FieldCause[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${field}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (!e.values?.length) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (e.values?.length) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, e.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(e.key ?? '', `${p}.key`));
    (e.values ?? []).forEach((v, j) => errs.push(...invalidEach(`${p}.values[${j}]`, v, isValidLabelValue(v))));
  });
  return errs;
}

