// Timestamps in the two wire formats Kubernetes uses: metav1.Time (RFC 3339, whole seconds)
// and metav1.MicroTime (six fractional digits), always in UTC.

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

/** Milliseconds since the epoch for a Time or MicroTime string; NaN when unparsable. */
export function parseTime(s: string | undefined | null): number {
  return s ? Date.parse(s) : Number.NaN;
}
