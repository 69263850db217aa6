// Stamping a revision into an object as metadata.resourceVersion, for both backends: a write
// returns the caller's object stamped rather than a parse of the text it stored (SQLite embeds the
// revision in that text, etcd a placeholder that reads fill in: ./etcd/codec.ts).
import type { KubeObject } from '@skiff/api';
import type { RawText } from './types.ts';

/** A shallow copy of `obj` with metadata.resourceVersion = revision (the caller's object is not mutated). */
export function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/**
 * The JSON text of objects that creates and updates returned: what the storage wrote,
 * resourceVersion filled in, so that the reply sends it instead of stringifying the object a
 * second time. Kept by object identity: any other object (a copy, the decrypted object an
 * encrypting layer returns) has none and is serialized as before. Valid only while the object
 * is not changed: the routes send it as it comes.
 */
const storedTexts = new WeakMap<KubeObject, string>();

/** Remembers `text` as the exact JSON of `obj` (a write's result); returns `obj`. */
export function withStoredText(obj: KubeObject, text: string): KubeObject {
  storedTexts.set(obj, text);
  return obj;
}

/** The text withStoredText remembered for this very object, if any. */
export function storedTextOf(obj: KubeObject): string | undefined {
  return storedTexts.get(obj);
}

/** Sets metadata.resourceVersion in place, on an object this module owns (a fresh parse). */
export function stampInPlace(obj: KubeObject, revision: number): KubeObject {
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

/** A stored text as one string, whichever form the storage gave it in. */
export function rawTextString(t: RawText): string {
  return typeof t === 'string' ? t : Buffer.concat(t).toString('utf8');
}
