// Validation of PodDisruptionBudget (pkg/apis/policy/validation), with its status rules.
//
// One difference from Kubernetes, on purpose (docs/adr/0015-disruption-budgets.md): a budget must
// set exactly one of minAvailable and maxUnavailable. Kubernetes also accepts neither, and such a
// budget then allows no eviction at all (its expected pod count stays 0); skiff refuses it.

import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { formatValue, invalid, nonNegative, notSupported, RawValue, required } from './errors.ts';
import { nameIsDNSSubdomain, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { intOrPercentValue, validatePositiveIntOrPercent } from './workloads.ts';
import { intOrStringValue } from './errors.ts';

export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function validateBudgetValue(v: unknown, field: string): FieldCause[] {
  const errs = validatePositiveIntOrPercent(v, field);
  if (typeof v === 'string' && intOrPercentValue(v) > 100) errs.push(invalid(field, intOrStringValue(v), 'must not be greater than 100%'));
  return errs;
}

export function validatePodDisruptionBudgetSpec(spec: Incoming<PodDisruptionBudgetSpec> | undefined, field = 'spec'): FieldCause[] {
  const s = spec ?? {};
  const errs: FieldCause[] = [];
  const hasMin = s.minAvailable !== undefined && s.minAvailable !== null;
  const hasMax = s.maxUnavailable !== undefined && s.maxUnavailable !== null;
  if (hasMin && hasMax) {
    errs.push(invalid(field, new RawValue(formatValue({ minAvailable: s.minAvailable, maxUnavailable: s.maxUnavailable })), 'minAvailable and maxUnavailable cannot be both set'));
  }
  if (!hasMin && !hasMax) errs.push(required(field, 'one of minAvailable or maxUnavailable must be set'));
  if (hasMin) errs.push(...validateBudgetValue(s.minAvailable, `${field}.minAvailable`));
  if (hasMax) errs.push(...validateBudgetValue(s.maxUnavailable, `${field}.maxUnavailable`));
  // validateLabelSelector checks each expression's key and operator, present or not.
  errs.push(...validateLabelSelector((s.selector ?? undefined) as Parameters<typeof validateLabelSelector>[0], `${field}.selector`));
  if (s.unhealthyPodEvictionPolicy !== undefined && s.unhealthyPodEvictionPolicy !== null && !UNHEALTHY_POD_EVICTION_POLICIES.includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported(`${field}.unhealthyPodEvictionPolicy`, s.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate for policy/v1: the counts are never negative. */
export function validatePodDisruptionBudgetStatus(status: Incoming<PodDisruptionBudgetStatus> | undefined, field = 'status'): FieldCause[] {
  const s = status ?? {};
  const errs: FieldCause[] = [];
  for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) errs.push(...nonNegative(`${field}.${k}`, s[k]));
  return errs;
}

export function validatePodDisruptionBudget(pdb: Incoming<PodDisruptionBudget>): FieldCause[] {
  return [...validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain), ...validatePodDisruptionBudgetSpec(pdb.spec)];
}

/** Since Kubernetes 1.15 a budget's spec may change; its status is checked on every write. */
export function validatePodDisruptionBudgetUpdate(pdb: Incoming<PodDisruptionBudget>, old: Incoming<PodDisruptionBudget>): FieldCause[] {
  return [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validatePodDisruptionBudgetSpec(pdb.spec), ...validatePodDisruptionBudgetStatus(pdb.status)];
}
