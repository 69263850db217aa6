// How objects are laid out in etcd (see docs/adr/0004-etcd-storage.md):
// - key: `<prefix><resource>/<namespace>/<name>`, e.g. `/skiff/pods/default/web-1`,
//   `/skiff/apps/deployments/default/web`, `/skiff/nodes//n1` (cluster-scoped: empty namespace).
//   A resource may contain one '/' (its group); names and namespaces never do, so the last two
//   segments are always namespace and name.
// - value: the object's JSON with `metadata.resourceVersion` as the first key of metadata and the
//   empty string as its value. The real resourceVersion is etcd's mod revision of the key, known
//   only after the write: a read splices it into that one place, so GET, LIST and watch events
//   send the stored text without parse + stringify, as the SQLite backend does.
import type { KubeObject } from '@skiff/api';
import type { ObjectKey } from '../types.ts';

const RV_PLACEHOLDER = '"resourceVersion":""';

export class KeyCodec {
  readonly prefix: string;

  constructor(prefix: string) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`etcd key prefix must start and end with '/': ${prefix}`);
    this.prefix = prefix;
  }

  key(k: ObjectKey): Buffer {
    return Buffer.from(`${this.prefix}${k.resource}/${k.namespace}/${k.name}`);
  }

  /** Every key of a resource, or of one namespace of it. */
  collection(resource: string, namespace?: string): Buffer {
    return Buffer.from(namespace === undefined ? `${this.prefix}${resource}/` : `${this.prefix}${resource}/${namespace}/`);
  }

  /** The key of this codec's own bookkeeping entry `name` (outside every resource's range). */
  internal(name: string): Buffer {
    return Buffer.from(`${this.prefix}~${name}`);
  }

  /** Undefined for keys that are not objects (bookkeeping entries, foreign keys). */
  decode(key: Buffer): ObjectKey | undefined {
    const s = key.toString('utf8');
    if (!s.startsWith(this.prefix)) return undefined;
    const parts = s.slice(this.prefix.length).split('/');
    if (parts.length < 3 || parts.length > 4) return undefined;
    const name = parts.pop()!;
    const namespace = parts.pop()!;
    const resource = parts.join('/');
    if (!resource || resource.startsWith('~') || !name) return undefined;
    return { resource, namespace, name };
  }
}

/** The end of the key range holding every key that starts with `prefix` (etcd's range_end). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The smallest key after `key` (a range that continues strictly after it). */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}

/**
 * The stored text of an object: apiVersion, kind and metadata first (list rendering cuts the type
 * prefix off without parsing), the resourceVersion placeholder first inside metadata. No JSON
 * string can contain the placeholder (its quotes would be escaped), and no key before metadata
 * holds an object, so its first occurrence is always this one.
 */
export function encodeObject(o: KubeObject): string {
  const { apiVersion, kind, metadata, ...rest } = o;
  if ((apiVersion !== undefined && typeof apiVersion !== 'string') || (kind !== undefined && typeof kind !== 'string')) {
    throw new TypeError('apiVersion and kind must be strings');
  }
  const { resourceVersion: _rv, ...meta } = metadata ?? {};
  return JSON.stringify({ apiVersion, kind, metadata: { resourceVersion: '', ...meta }, ...rest });
}

const NO_PLACEHOLDER = 'stored object without the resourceVersion placeholder (not written by skiff?)';

/** The stored text with its resourceVersion filled in. */
export function textAt(stored: string, revision: number | string): string {
  const i = stored.indexOf(RV_PLACEHOLDER);
  if (i < 0) throw new Error(NO_PLACEHOLDER);
  return `${stored.slice(0, i)}"resourceVersion":"${revision}"${stored.slice(i + RV_PLACEHOLDER.length)}`;
}

const RV_PLACEHOLDER_BYTES = Buffer.from(RV_PLACEHOLDER);

/**
 * textAt on the stored bytes, for lists: the pieces that make up the text (the stored bytes
 * before the placeholder, the resourceVersion, the rest), neither decoded nor copied.
 */
export function bytesAt(stored: Buffer, revision: number | string): Buffer[] {
  const i = stored.indexOf(RV_PLACEHOLDER_BYTES);
  if (i < 0) throw new Error(NO_PLACEHOLDER);
  return [stored.subarray(0, i), Buffer.from(`"resourceVersion":"${revision}"`), stored.subarray(i + RV_PLACEHOLDER_BYTES.length)];
}
