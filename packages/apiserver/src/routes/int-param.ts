// Numeric query parameters as Kubernetes reads them: every one is an int64 (Go's
// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, nothing else), so `1e300`, `1.5`,
// `0x10` and anything beyond ±2^63 are a 400 before any handler computes with them. Range rules
// of particular parameters (PodLogOptions) are checked where they are used.
import { badRequest } from '../errors/status.ts';

const INT = /^[+-]?\d+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses an int64 parameter; undefined when absent or empty; 400 when not an int64. */
export function int64Param(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!INT.test(value)) throw badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  const big = BigInt(value);
  if (big < INT64_MIN || big > INT64_MAX) throw badRequest(`invalid value for ${name}: strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  return Number(big);
}

/**
 * The same rule for a number that arrived in a JSON body (DeleteOptions.gracePeriodSeconds). A
 * double cannot tell 2^63-1 from 2^63, so the upper bound is inclusive.
 */
export function isInt64(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 63) && n <= 2 ** 63;
}
