// RFC 6901 JSON pointers: "" is the whole document, "/a/b" walks keys, "~1" stands for "/"
// and "~0" for "~" inside a token. Array tokens are decimal indices without leading zeros, or
// "-" (one past the end, meaningful only to JSON patch's add).

import { unappliable } from './errors.ts';

/** The unescaped tokens of `pointer`; throws (422, as Kubernetes does for a bad path) if malformed. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw unappliable(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) {
        throw unappliable(`invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`);
      }
      // ~1 first, then ~0: "~01" is the literal "~1", not "/".
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Escapes one token for use in a pointer (the inverse of the unescaping above). */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The index named by `token` in an array of `length` elements, or undefined if it names none. */
export function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (token === '-') return allowEnd ? length : undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i < length || (allowEnd && i === length) ? i : undefined;
}
