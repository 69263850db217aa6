// Timestamps in the two wire formats Kubernetes uses: metav1.Time (RFC 3339, whole seconds)
// and metav1.MicroTime (six fractional digits), always in UTC. The one implementation every
// package uses: do not format timestamps with toISOString() elsewhere.

function toDate(d: Date | number): Date {
  return typeof d === 'number' ? new Date(d) : d;
}

/** The last second formatTime() formatted, and its text: every create of a busy second stamps the same one. */
let lastSecond = Number.NaN;
let lastText = '';

/** `2024-01-02T15:04:05Z`: seconds are truncated, as metav1.Time serialises. */
export function formatTime(d: Date | number = Date.now()): string {
  const second = Math.floor((typeof d === 'number' ? d : d.getTime()) / 1000);
  if (second === lastSecond) return lastText;
  const text = toDate(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
  lastSecond = second;
  lastText = text;
  return text;
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

const LAYOUT = '2006-01-02T15:04:05Z07:00';
/** Go's RFC 3339 layout, element by element, as its parser walks it. */
const ELEMENTS: [string, RegExp][] = [
  ['2006', /^\d{4}/],
  ['-', /^-/],
  ['01', /^\d{2}/],
  ['-', /^-/],
  ['02', /^\d{2}/],
  ['T', /^T/],
  ['15', /^\d{2}/],
  [':', /^:/],
  ['04', /^\d{2}/],
  [':', /^:/],
  ['05', /^\d{2}(?:\.\d+)?/],
  ['Z07:00', /^(?:Z|[+-]\d{2}:\d{2})/],
];

/** A metav1.Time or MicroTime a request carried that Go's time.Parse would refuse. */
export class TimeParseError extends Error {}

/** Go's time.Parse(time.RFC3339, s), with its error messages; returns the parts. */
function parseRFC3339(s: string): { seconds: string; fraction: string; offset: string } {
  let rest = s;
  for (const [elem, re] of ELEMENTS) {
    const m = re.exec(rest);
    if (!m) throw new TimeParseError(`parsing time ${JSON.stringify(s)} as ${JSON.stringify(LAYOUT)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`);
    rest = rest.slice(m[0].length);
  }
  if (rest) throw new TimeParseError(`parsing time ${JSON.stringify(s)}: extra text: ${JSON.stringify(rest)}`);
  const m = RFC3339.exec(s)!;
  const [y, mo, d, h, mi, se] = m[1].split(/[-T:]/).map(Number);
  const range = (what: string) => new TimeParseError(`parsing time ${JSON.stringify(s)}: ${what} out of range`);
  if (mo < 1 || mo > 12) throw range('month');
  if (d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) throw range('day');
  if (h > 23) throw range('hour');
  if (mi > 59) throw range('minute');
  if (se > 59) throw range('second');
  return { seconds: m[1], fraction: m[2] ?? '', offset: m[3] };
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CANONICAL_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** A metav1.Time as Kubernetes stores it: parsed as RFC 3339, written in UTC, whole seconds. */
export function canonicalTime(s: string): string {
  const { seconds, offset } = parseRFC3339(s);
  if (offset === 'Z' && CANONICAL_TIME.test(`${seconds}Z`) && s.length === 20) return s;
  return formatTime(Date.parse(`${seconds}${offset}`));
}

/** A metav1.MicroTime as Kubernetes stores it: UTC, six fractional digits (more are truncated). */
export function canonicalMicroTime(s: string): string {
  if (CANONICAL_MICRO.test(s)) {
    parseRFC3339(s);
    return s;
  }
  const { seconds, fraction, offset } = parseRFC3339(s);
  const utc = offset === 'Z' ? seconds : formatTime(Date.parse(`${seconds}${offset}`)).slice(0, -1);
  return `${utc}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}
