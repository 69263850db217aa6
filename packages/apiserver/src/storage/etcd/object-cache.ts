// Every object under the storage's prefix, mirrored in memory from the one etcd watch, so that a
// whole LIST is served without reading etcd's objects (as kube-apiserver's watch cache serves
// consistent lists: it learns etcd's current revision, waits until its watch has delivered up to
// it, then answers from memory; here the revision is a fence write's, see storage.ts). Filled by
// one read of the whole prefix at one revision while the watch goes on: events that arrive while
// that read runs win over it (they are newer). After the watch lost history (compaction during an
// outage) it is emptied and filled again.
import type { RawText } from '../types.ts';
import { bytesAt } from './codec.ts';

interface Entry {
  value: Buffer;
  revision: number;
}

/** One resource's objects by key (`namespace/name`), and that key order, computed when asked. */
interface ResourceEntries {
  byKey: Map<string, Entry>;
  sorted: string[] | undefined;
}

export class ObjectCache {
  readonly #resources = new Map<string, ResourceEntries>();
  /** Keys changed by events while a fill runs: the fill's older state must not overwrite them. */
  #touched: Set<string> | undefined = new Set();
  #ready = false;

  /** True once filled: lists may be served from here. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Forgets everything; lists go to etcd until the next fill completes. */
  reset(): void {
    this.#resources.clear();
    this.#touched = new Set();
    this.#ready = false;
  }

  /** A change from the watch (value undefined: deleted). */
  apply(resource: string, key: string, value: Buffer | undefined, revision: number): void {
    this.#touched?.add(`${resource}\0${key}`);
    this.#set(resource, key, value && { value: Buffer.from(value), revision });
  }

  /** One object of the fill, read at the fill's revision; ignored if an event has changed it since. */
  fill(resource: string, key: string, value: Buffer, revision: number): void {
    if (this.#touched?.has(`${resource}\0${key}`)) return;
    this.#set(resource, key, { value: Buffer.from(value), revision });
  }

  /** The fill is complete. */
  filled(): void {
    this.#touched = undefined;
    this.#ready = true;
  }

  #set(resource: string, key: string, entry: Entry | undefined): void {
    let r = this.#resources.get(resource);
    if (!r) {
      if (!entry) return;
      r = { byKey: new Map(), sorted: undefined };
      this.#resources.set(resource, r);
    }
    const had = r.byKey.has(key);
    if (entry) r.byKey.set(key, entry);
    else r.byKey.delete(key);
    if (had !== !!entry) r.sorted = undefined;
  }

  /** One object's stored bytes and revision, if the cache holds it. */
  get(resource: string, key: string): Readonly<Entry> | undefined {
    return this.#resources.get(resource)?.byKey.get(key);
  }

  /** The stored texts of a resource (or of one namespace of it), in etcd's key order. */
  list(resource: string, namespace: string | undefined): RawText[] {
    const r = this.#resources.get(resource);
    if (!r) return [];
    // Keys are namespace/name: DNS labels and names, ASCII, so string order is etcd's byte order.
    r.sorted ??= [...r.byKey.keys()].sort();
    const keys = r.sorted;
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    // The namespace's keys are one run of the sorted keys: binary search for its start.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: RawText[] = [];
    for (let i = lo; i < keys.length && keys[i].startsWith(prefix); i++) {
      const e = r.byKey.get(keys[i])!;
      out.push(bytesAt(e.value, e.revision));
    }
    return out;
  }
}
