// Deployment, ReplicaSet and ReplicationController validation (pkg/apis/apps/validation and
// the RC part of pkg/apis/core/validation), including the selector/template-labels rule.

import type { Deployment, DeploymentStrategy, LabelSelector, PodTemplateSpec, ReplicaSet, ReplicationController } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { labelSelectorAsSelector, matches, selectorFromMap, type Selector } from '../selectors/labels.ts';
import { FIELD_IMMUTABLE, forbidden, intOrStringValue, labelSelectorValue, mapValue, invalid, invalidEach, nonNegative, notSupported, required } from './errors.ts';
import { nameIsDNSSubdomain, validateAnnotations, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { validatePodSpec } from './pod.ts';
import { isValidPercent } from './strings.ts';

/** ValidatePodTemplateSpec: labels are reported under `<template>.labels`, as Kubernetes does. */
export function validatePodTemplateSpec(template: Incoming<PodTemplateSpec>, field: string): FieldCause[] {
  return [
    ...validateLabels(template.metadata?.labels, `${field}.labels`),
    ...validateAnnotations(template.metadata?.annotations, `${field}.annotations`),
    ...validatePodSpec(template.spec, `${field}.spec`, { isPod: false }),
  ];
}

/** The template checks shared by ReplicaSets, Deployments and RCs. */
export function validateTemplateForController(template: Incoming<PodTemplateSpec> | undefined, selector: Selector, field: string, owner: string): FieldCause[] {
  if (!template) return [required(field)];
  const errs: FieldCause[] = [];
  const selectorIsEmpty = !selector.nothing && selector.requirements.length === 0;
  if (!selectorIsEmpty && !matches(selector, template.metadata?.labels ?? {})) {
    errs.push(invalid(`${field}.metadata.labels`, mapValue(template.metadata?.labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, field));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(notSupported(`${field}.spec.restartPolicy`, restartPolicy ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(`${field}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return errs;
}

/** Selector checks for apps/v1 kinds; returns the parsed selector for the template check. */
export function validateAppsSelector(spec: { selector?: Incoming<LabelSelector> }, field: string, owner = 'deployment'): { errs: FieldCause[]; selector?: Selector } {
  const errs: FieldCause[] = [];
  const sel = spec.selector;
  if (!sel) {
    errs.push(required(`${field}.selector`));
  } else {
    errs.push(...validateLabelSelector(sel, `${field}.selector`));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
      // Kubernetes says "deployment" here for ReplicaSets too.
      errs.push(invalid(`${field}.selector`, labelSelectorValue(sel), `empty selector is invalid for ${owner}`));
    }
  }
  try {
    // Throws on what validateLabelSelector reported above.
    return { errs, selector: labelSelectorAsSelector(sel as LabelSelector | undefined) };
  } catch {
    errs.push(invalid(`${field}.selector`, labelSelectorValue(sel), 'invalid label selector'));
    return { errs };
  }
}

export function validatePositiveIntOrPercent(v: unknown, field: string): FieldCause[] {
  if (typeof v === 'string') return invalidEach(field, intOrStringValue(v), isValidPercent(v));
  if (typeof v === 'number') return nonNegative(field, v);
  if (v === undefined) return [];
  return [invalid(field, v, "must be an integer or percentage (e.g '5%')")];
}

export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return -1;
}

function validateStrategy(strategy: Incoming<DeploymentStrategy> | undefined, field: string): FieldCause[] {
  const s = strategy ?? {};
  const errs: FieldCause[] = [];
  if (s.type === 'Recreate') {
    if (s.rollingUpdate !== undefined) errs.push(forbidden(`${field}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    const ru = s.rollingUpdate;
    if (!ru) {
      errs.push(required(`${field}.rollingUpdate`, 'this should be defaulted and never be nil'));
    } else {
      const f = `${field}.rollingUpdate`;
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${f}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${f}.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable ?? 0) === 0 && intOrPercentValue(ru.maxSurge ?? 0) === 0) {
        errs.push(invalid(`${f}.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      if (typeof ru.maxUnavailable === 'string' && intOrPercentValue(ru.maxUnavailable) > 100) {
        errs.push(invalid(`${f}.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'must not be greater than 100%'));
      }
    }
  } else {
    errs.push(notSupported(`${field}.type`, s.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

export function validateDeployment(d: Incoming<Deployment>): FieldCause[] {
  const spec = d.spec ?? {};
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain);
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  const { errs: selErrs, selector } = validateAppsSelector(spec, 'spec');
  errs.push(...selErrs);
  if (selector) errs.push(...validateTemplateForController(spec.template, selector, 'spec.template', 'ReplicaSet'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (spec.progressDeadlineSeconds !== undefined) {
    errs.push(...nonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateReplicaSet(rs: Incoming<ReplicaSet>): FieldCause[] {
  const spec = rs.spec ?? {};
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain);
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  const { errs: selErrs, selector } = validateAppsSelector(spec, 'spec');
  errs.push(...selErrs);
  if (selector) errs.push(...validateTemplateForController(spec.template, selector, 'spec.template', 'ReplicaSet'));
  return errs;
}

export function validateReplicationController(rc: Incoming<ReplicationController>): FieldCause[] {
  const spec = rc.spec ?? {};
  const errs = validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain);
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  if (Object.keys(spec.selector ?? {}).length === 0) errs.push(required('spec.selector'));
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...validateTemplateForController(spec.template, selectorFromMapSafe(spec.selector), 'spec.template', 'ReplicationController'));
  return errs;
}

function selectorFromMapSafe(m: Record<string, string> | undefined): Selector {
  try {
    return selectorFromMap(m);
  } catch {
    // Invalid keys or values are reported elsewhere; match nothing so the template check fires.
    return { requirements: [], nothing: true };
  }
}

export function selectorUnchanged(next: Incoming<LabelSelector> | undefined, prev: Incoming<LabelSelector> | undefined): boolean {
  return JSON.stringify(normalizeSelector(next)) === JSON.stringify(normalizeSelector(prev));
}

function normalizeSelector(s: Incoming<LabelSelector> | undefined): unknown {
  if (!s) return null;
  const labels = s.matchLabels ? Object.fromEntries(Object.entries(s.matchLabels).sort(([a], [b]) => (a < b ? -1 : 1))) : null;
  return [labels, s.matchExpressions ?? null];
}

/** apps/v1 Deployments and ReplicaSets: the selector cannot change once created. */
export function validateAppsUpdate(kind: 'Deployment' | 'ReplicaSet', next: Incoming<Deployment> | Incoming<ReplicaSet>, prev: Incoming<Deployment> | Incoming<ReplicaSet>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  const full = kind === 'Deployment' ? validateDeployment(next) : validateReplicaSet(next);
  // The create-time metadata rules are replaced by the update ones above.
  errs.push(...full.filter((c) => !c.field.startsWith('metadata.')));
  if (!selectorUnchanged(next.spec?.selector, prev.spec?.selector)) {
    errs.push(invalid('spec.selector', labelSelectorValue(next.spec?.selector), FIELD_IMMUTABLE));
  }
  return errs;
}

export function validateReplicationControllerUpdate(next: Incoming<ReplicationController>, prev: Incoming<ReplicationController>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validateReplicationController(next).filter((c) => !c.field.startsWith('metadata.')));
  return errs;
}
