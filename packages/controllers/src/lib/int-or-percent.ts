// maxSurge / maxUnavailable: an integer or a percentage of the desired replica count.

export type IntOrString = number | string;

/**
 * Resolves `value` against `total`, rounding a percentage up or down (as
 * intstr.GetScaledValueFromIntOrPercent). Throws on a string that is not `N%`.
 */
export function resolveIntOrPercent(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    if (/^\d+$/.test(value)) return Number(value);
    throw new Error(`invalid value for IntOrString: ${JSON.stringify(value)}`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
