// The informer's cache: objects by `namespace/name` key plus secondary indexes.
//
// NEVER modify an object taken from the store: it is shared with every other reader of the
// same informer and with the informer's own change detection. Copy it (structuredClone) and
// send the copy to the API server instead. Unless `freeze: false`, stored objects are deeply
// frozen, so a mutation throws a TypeError instead of corrupting the cache silently.
import type { KubeObject } from '@skiff/api';

/** Values an object is indexed under (e.g. its namespace, its owners' uids). */
export type IndexFunc<T> = (obj: T) => string[];

/** What informer users see: read-only access. */
export interface ReadonlyStore<T extends KubeObject> {
  get(key: string): T | undefined;
  getByName(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  keys(): string[];
  /** Objects whose index function returned `value`. */
  byIndex(indexName: string, value: string): T[];
  readonly size: number;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}

export function keyFor(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** `ns/name` -> { namespace: 'ns', name }; `name` -> { name }. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i === -1 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const indexByNamespace: IndexFunc<KubeObject> = (o) => (o.metadata.namespace ? [o.metadata.namespace] : []);
export const indexByOwnerUid: IndexFunc<KubeObject> = (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);
export const indexByNodeName: IndexFunc<KubeObject> = (o) => (o.spec?.nodeName ? [String(o.spec.nodeName)] : []);

/**
 * An informer transform that drops metadata.managedFields, which no controller reads and which is
 * often the largest part of an object: the cache then holds less and the garbage collector walks
 * less. kube-controller-manager and kube-scheduler trim their caches the same way (Kubernetes
 * PRs 118455, 119556). Safe for writes too: an update without managedFields keeps the stored ones.
 */
export function dropManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
  return obj;
}

/** Freezes an object and everything reachable from it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface StoreOptions<T> {
  indexers?: Record<string, IndexFunc<T>>;
  /** Deep-freeze stored objects; default true unless NODE_ENV=production. */
  freeze?: boolean;
}

export class Store<T extends KubeObject> implements ReadonlyStore<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> indexed value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** Whether stored objects are deep-frozen. */
  readonly frozen: boolean;

  constructor(opts: StoreOptions<T> = {}) {
    this.frozen = opts.freeze ?? process.env.NODE_ENV !== 'production';
    this.addIndexers(opts.indexers ?? {});
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(keyFor(namespace, name));
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named ${indexName}`);
    return [...(index.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  /** Adds indexes (and builds them over current objects). Re-adding the same function is a no-op. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`index ${name} already exists with a different function`);
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) this.index(name, fn, key, obj);
    }
  }

  /** Stores the object (frozen) and returns it with the one it replaced. */
  set(obj: T): { stored: T; old?: T } {
    const key = keyOf(obj);
    const stored = this.frozen ? deepFreeze(obj) : obj;
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, stored);
    for (const [name, fn] of this.indexers) this.index(name, fn, key, stored);
    return { stored, old };
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private index(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indices.get(name)!;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
