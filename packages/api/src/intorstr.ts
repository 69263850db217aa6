// IntOrString values (`maxSurge: 1` or `maxSurge: "25%"`) and how controllers turn them into
// counts. Mirrors intstr.GetScaledValueFromIntOrPercent and the deployment controller's
// ResolveFenceposts.

export type IntOrString = number | string;

const PERCENT = /^([0-9]+)%$/;

export class IntOrPercentError extends Error {}

/**
 * Resolves an int, a percentage of `total`, or a numeric string to a count. Percentages round
 * up when `roundUp` (maxSurge) and down otherwise (maxUnavailable). Throws on anything else.
 */
export function resolveIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) throw new IntOrPercentError('nil value for IntOrString');
  if (typeof value === 'number') return value;
  const m = PERCENT.exec(value);
  if (m) {
    const scaled = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  // Kubernetes rejects bare numeric strings here: only `N%` strings are meaningful.
  throw new IntOrPercentError(`invalid value for IntOrString: invalid type: string is not a percentage`);
}

/** True for `N%` strings. */
export function isPercent(value: unknown): value is string {
  return typeof value === 'string' && PERCENT.test(value);
}

/**
 * The surge and unavailability a rolling update may use for `desired` replicas. When both
 * resolve to zero the rollout could never make progress, so unavailability becomes 1.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = resolveIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
