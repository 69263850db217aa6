// Timestamps in the two wire formats Kubernetes uses: metav1.Time (RFC 3339, whole seconds)
// and metav1.MicroTime (six fractional digits), always in UTC. The one implementation every
// package uses: do not format timestamps with toISOString() elsewhere.

function toDate(d: Date | number): Date {
  return typeof d === 'number' ? new Date(d) : d;
}

/** `2024-01-02T15:04:05Z`: seconds are truncated, as metav1.Time serialises. */
export function formatTime(d: Date | number = Date.now()): string {
  return toDate(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2024-01-02T15:04:05.123000Z`: JS has milliseconds, so the last three digits are zero. */
export function formatMicroTime(d: Date | number = Date.now()): string {
  return toDate(d).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch for a Time or MicroTime string (any number of fractional digits,
 * those past milliseconds dropped); NaN when missing or not RFC 3339.
 */
export function parseTime(s: string | undefined | null): number {
  const m = s ? RFC3339.exec(s) : null;
  if (!m) return Number.NaN;
  const ms = (m[2] ?? '').padEnd(3, '0').slice(0, 3);
  return Date.parse(`${m[1]}.${ms}${m[3]}`);
}
