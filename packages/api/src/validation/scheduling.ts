// Validation of PriorityClass (pkg/apis/scheduling/validation), with its update rules.

import type { PriorityClass } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { HIGHEST_USER_DEFINABLE_PRIORITY, SYSTEM_PRIORITY_CLASS_PREFIX, unknownSystemPriorityClass } from '../helpers/priority.ts';
import { forbidden, FIELD_IMMUTABLE, invalid, notSupported, required } from './errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';

const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

export function validatePriorityClass(pc: Incoming<PriorityClass>): FieldCause[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = String(pc.metadata?.name ?? '');
  if (typeof pc.value !== 'number' || !Number.isInteger(pc.value)) errs.push(required('value'));
  else if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = unknownSystemPriorityClass(name, pc.value, pc.globalDefault);
    if (why) errs.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.preemptionPolicy !== undefined && !PREEMPTION_POLICIES.includes(pc.preemptionPolicy)) errs.push(notSupported('preemptionPolicy', pc.preemptionPolicy, PREEMPTION_POLICIES));
  return errs;
}

export function validatePriorityClassUpdate(pc: Incoming<PriorityClass>, old: Incoming<PriorityClass>): FieldCause[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  if (pc.preemptionPolicy !== old.preemptionPolicy) errs.push(invalid('preemptionPolicy', pc.preemptionPolicy ?? null, FIELD_IMMUTABLE));
  return errs;
}
