// Resource quantities (`500m`, `128Mi`, `2e3`), parsed exactly like Kubernetes'
// resource.Quantity: the value is kept as an exact count of nano-units in a bigint, so
// arithmetic never drifts, and the suffix family the user wrote (decimal SI, binary SI or
// exponent) is remembered because Kubernetes prints the canonical form in that family.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value times 10^9 (nano-units), rounded up away from zero as Kubernetes does. */
  readonly nano: bigint;
  readonly format: QuantityFormat;
}

/** The regex Kubernetes quotes when a quantity does not parse. */
export const QUANTITY_REGEX_TEXT = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_REGEX_TEXT}'`;
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {}

const NANO = 1_000_000_000n;
// Sign, integer digits, optional fraction, then the suffix characters Go's scanner accepts.
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
// Exponents far outside anything a resource needs would make bigints explode; Kubernetes
// caps quantities at 2^63 anyway, so refusing them loses nothing real.
const MAX_EXPONENT = 300;

const POW10: bigint[] = Array.from({ length: 64 }, (_, i) => 10n ** BigInt(i));
function pow10(n: number): bigint {
  return n < POW10.length ? POW10[n] : 10n ** BigInt(n);
}

// Requests and limits repeat the same few strings ('100m', '128Mi') across every pod, and each
// is parsed by decode, defaulting and validation; Quantity values are immutable, so a small
// memo of recent parses is safe and removes most of that work.
const MEMO_LIMIT = 512;
const parseMemo = new Map<string, Quantity>();
const canonicalMemo = new Map<string, string>();
function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
  return value;
}

/** Divide rounding away from zero (Kubernetes rounds lost precision up, never to zero). */
function divAway(a: bigint, b: bigint): bigint {
  const q = a / b;
  if (q * b === a) return q;
  return a < 0n ? q - 1n : q + 1n;
}

interface Suffix {
  base: 10 | 2;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(s: string): Suffix | undefined {
  if (s in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[s], format: 'DecimalSI' };
  if (s in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[s], format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?[0-9]+$/.test(s.slice(1))) {
    const exponent = Number(s.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/** Parses a quantity string (or a JSON number, which Kubernetes also accepts). Throws QuantityError. */
export function parseQuantity(input: string | number): Quantity {
  // A JSON number is parsed as its quantity string, through the same memo (the scheduler asks
  // for the 0 of every pod without overhead, twice per pod).
  const str = typeof input === 'string' ? input : numberToQuantityString(input);
  const hit = parseMemo.get(str);
  if (hit) return hit;
  return remember(parseMemo, str, parseQuantityUncached(str));
}

function parseQuantityUncached(str: string): Quantity {
  if (str.length === 0) throw new QuantityError('quantities must not be empty');
  const m = SHAPE.exec(str);
  if (!m) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, sign, whole, frac = '', suffixText] = m;
  const suffix = interpretSuffix(suffixText);
  if (!suffix) throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  // digits / 10^frac.length is the written number; scale it to nano-units exactly.
  let numerator = BigInt((whole || '0') + frac) * NANO;
  let denominator = pow10(frac.length);
  if (suffix.base === 2) numerator *= 1n << BigInt(suffix.exponent);
  else if (suffix.exponent >= 0) numerator *= pow10(suffix.exponent);
  else denominator *= pow10(-suffix.exponent);
  let nano = divAway(numerator, denominator);
  if (sign === '-') nano = -nano;
  return { nano, format: suffix.format };
}

function numberToQuantityString(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  // JSON numbers like 1e21 print with a `+`; the quantity grammar accepts `e21` too.
  return String(n).replace('e+', 'e');
}

export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

export function isValidQuantity(input: unknown): boolean {
  return tryParseQuantity(input) !== undefined;
}

/** Accepts either a parsed quantity or anything parseQuantity takes. */
export function toQuantity(q: Quantity | string | number): Quantity {
  return typeof q === 'object' ? q : parseQuantity(q);
}

/** Kubernetes' canonical string: no fraction, the largest suffix that keeps it exact. */
export function formatQuantity(q: Quantity | string | number): string {
  const { nano, format } = toQuantity(q);
  if (nano === 0n) return '0';
  if (format === 'BinarySI') {
    const abs = nano < 0n ? -nano : nano;
    // Below 1Ki, or with a fractional part, binary suffixes would mislead or round.
    if (abs >= 1024n * NANO && nano % NANO === 0n) {
      let units = nano / NANO;
      let power = 0;
      while (power < 6 && units % 1024n === 0n) {
        units /= 1024n;
        power++;
      }
      return `${units}${BINARY_NAMES[power]}`;
    }
  }
  return formatDecimal(nano, format === 'DecimalExponent' ? 'DecimalExponent' : 'DecimalSI');
}

function formatDecimal(nano: bigint, format: QuantityFormat): string {
  let mantissa = nano;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // Suffixes step by powers of 1000, so push the exponent down to a multiple of three.
  const extra = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(extra);
  exponent -= extra;
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_BY_EXPONENT.get(exponent);
  return suffix === undefined ? `${mantissa}e${exponent}` : `${mantissa}${suffix}`;
}

/** Parses and re-prints in canonical form: `1.5` → `1500m`, `0.5Gi` → `512Mi`. */
export function canonicalQuantity(input: string | number): string {
  if (typeof input === 'string') {
    const hit = canonicalMemo.get(input);
    if (hit !== undefined) return hit;
    return remember(canonicalMemo, input, formatQuantity(parseQuantity(input)));
  }
  return formatQuantity(parseQuantity(input));
}

export function compareQuantity(a: Quantity | string | number, b: Quantity | string | number): -1 | 0 | 1 {
  const x = toQuantity(a).nano;
  const y = toQuantity(b).nano;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sum, in the format of the first non-zero operand (as Quantity.Add keeps the receiver's). */
export function addQuantity(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = toQuantity(a);
  const y = toQuantity(b);
  return { nano: x.nano + y.nano, format: x.nano === 0n ? y.format : x.format };
}

export function subtractQuantity(a: Quantity | string | number, b: Quantity | string | number): Quantity {
  const x = toQuantity(a);
  const y = toQuantity(b);
  return { nano: x.nano - y.nano, format: x.format };
}

export function zeroQuantity(format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: 0n, format };
}

export function quantityFromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(milli) * 1_000_000n, format };
}

export function quantityFromValue(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(value) * NANO, format };
}

/** Value in milli-units, rounded up away from zero (Quantity.MilliValue). */
export function milliValue(q: Quantity | string | number): bigint {
  return divAway(toQuantity(q).nano, 1_000_000n);
}

/** Whole value rounded up away from zero (Quantity.Value), e.g. bytes of memory. */
export function wholeValue(q: Quantity | string | number): bigint {
  return divAway(toQuantity(q).nano, NANO);
}

/** Milli-units as a JS number: CPU in millicores. Exact below 2^53. */
export function toMilli(q: Quantity | string | number): number {
  return Number(milliValue(q));
}

/** Whole units as a JS number: memory in bytes. Exact below 2^53 (8 PiB). */
export function toBytes(q: Quantity | string | number): number {
  return Number(wholeValue(q));
}

/** Rounds up to milli precision, as Kubernetes' ResourceList defaulting does (`0.1m` → `1m`). */
export function roundUpToMilli(q: Quantity): Quantity {
  return { nano: divAway(q.nano, 1_000_000n) * 1_000_000n, format: q.format };
}
