// Go's strconv.ParseBool, which Kubernetes uses for boolean query parameters (`watch=True`,
// `watch=1`, `follow=t` all mean true).

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** true or false as Go's strconv.ParseBool reads `s`; undefined for anything else. */
export function parseBool(s: string): boolean | undefined {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return undefined;
}

/** The error Go's strconv.ParseBool returns for `s`. */
export function parseBoolError(s: string): string {
  return `strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`;
}
