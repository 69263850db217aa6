// Pod priority as Kubernetes defines it (pkg/apis/scheduling): the two system PriorityClasses
// every cluster has, the highest value a user may give a class, and the default when no class
// is named and none is the global default.

export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** The priority of a pod that names no class when no class is the global default. */
export const DEFAULT_POD_PRIORITY = 0;
export const PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority';

export interface SystemPriorityClass {
  name: string;
  value: number;
  description: string;
}

export const SYSTEM_PRIORITY_CLASSES: readonly SystemPriorityClass[] = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

/** Why a `system-` class is not one of the system classes as they are defined, or undefined when it is. */
export function unknownSystemPriorityClass(name: string, value: number | undefined, globalDefault: boolean | undefined): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (value !== known.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}
