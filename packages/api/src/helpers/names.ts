// Generated names (`metadata.generateName`), as the API server's SimpleNameGenerator makes them.

/** Kubernetes' alphabet: no vowels (no accidental words) and no look-alike characters. */
export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const GENERATED_SUFFIX_LENGTH = 5;
const MAX_NAME_LENGTH = 63;
const MAX_BASE_LENGTH = MAX_NAME_LENGTH - GENERATED_SUFFIX_LENGTH;

/** `n` characters from NAME_ALPHABET. `random` returns [0, 1), injectable for tests. */
export function randomNameSuffix(n: number = GENERATED_SUFFIX_LENGTH, random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < n; i++) out += NAME_ALPHABET[Math.floor(random() * NAME_ALPHABET.length) % NAME_ALPHABET.length];
  return out;
}

/** `base` (cut to 58 characters so the result fits a label) plus a 5-character random suffix. */
export function generateName(base: string, random: () => number = Math.random): string {
  return base.slice(0, MAX_BASE_LENGTH) + randomNameSuffix(GENERATED_SUFFIX_LENGTH, random);
}
