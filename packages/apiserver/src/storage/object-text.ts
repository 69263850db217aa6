// Objects are stored as JSON text with metadata.resourceVersion already embedded, so reads can
// hand the text out unchanged. These helpers are the only place that stamps the revision.
import type { KubeObject } from '@skiff/api';

/** A shallow copy of `obj` with metadata.resourceVersion = revision (the caller's object is not mutated). */
export function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** Sets metadata.resourceVersion in place, on an object this module owns (a fresh parse). */
export function stampInPlace(obj: KubeObject, revision: number): KubeObject {
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}
