// Boolean query parameters as Kubernetes reads them: Go's strconv.ParseBool (`watch=True`,
// `watch=1` and `watch=t` are a watch), anything else a 400 before any handler acts on it.
import { parseBool, parseBoolError } from '@skiff/api';
import { badRequest } from '../errors/status.ts';

/** undefined when absent or empty; 400 when not a Go boolean. */
export function boolParam(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const b = parseBool(value);
  if (b === undefined) throw badRequest(`invalid value for ${name}: ${parseBoolError(value)}`);
  return b;
}
