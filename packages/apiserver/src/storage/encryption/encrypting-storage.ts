// Secrets sealed at rest, once, for every backend: a Storage that wraps SQLite's or etcd's and
// seals the objects of the resources it is given (Secrets) before they reach the inner storage,
// and opens them on every way out (get, list, watch events, the raw texts). Every other resource
// passes straight through: one Set lookup on the hot path.
//
// What the inner storage holds for a Secret is an envelope:
//   {"apiVersion":"v1","kind":"Secret","metadata":{"name":N,"namespace":NS,"resourceVersion":RV},
//    "sealed":"k8s:enc:aesgcm:v1:key1:<base64>"}
// The sealed text is the whole object (data, stringData, labels, annotations such as kubectl's
// last-applied-configuration, which holds the data too) without its resourceVersion, which the
// storage stamps on the envelope as on any object. Only the name and namespace stay readable, as
// they do in Kubernetes' etcd keys. An object stored before encryption was on (no `sealed`) is
// read as it is and sealed at its next write, as Kubernetes' identity provider allows.
import type { KubeObject } from '@skiff/api';
import type { Awaitable, ListOptions, ListResult, ObjectKey, RawListResult, RawText, Storage, StorageEvent, StorageStats, WatchOptions, Watcher } from '../types.ts';
import { rawTextString } from '../object-text.ts';
import { Keyring, sealedKeyName } from './keyring.ts';

/** The envelope's field that holds the sealed object. */
export const SEALED_FIELD = 'sealed';

export const ENCRYPTED_RESOURCES: ReadonlySet<string> = new Set(['secrets']);

interface Envelope extends KubeObject {
  [SEALED_FIELD]?: string;
}

function then<T, U>(v: Awaitable<T>, f: (t: T) => U): Awaitable<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

function aad(key: ObjectKey): string {
  return `${key.resource}/${key.namespace}/${key.name}`;
}

function keyOf(resource: string, o: KubeObject): ObjectKey {
  return { resource, namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' };
}

function withoutResourceVersion(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}

export class EncryptingStorage implements Storage {
  readonly inner: Storage;
  #keyring: Keyring;
  readonly #resources: ReadonlySet<string>;
  /** One opened event per stored event, shared by every watcher of it. */
  readonly #opened = new WeakMap<StorageEvent, StorageEvent>();
  hasPendingWrites?: () => boolean;
  flush?: () => Promise<void>;

  constructor(inner: Storage, keyring: Keyring, resources: ReadonlySet<string> = ENCRYPTED_RESOURCES) {
    this.inner = inner;
    this.#keyring = keyring;
    this.#resources = resources;
    if (inner.hasPendingWrites) this.hasPendingWrites = () => inner.hasPendingWrites!();
    if (inner.flush) this.flush = () => inner.flush!();
  }

  get keyring(): Keyring {
    return this.#keyring;
  }

  /** The key set (a rotation adds a key before re-sealing): the first seals from now on. */
  setKeyring(keyring: Keyring): void {
    this.#keyring = keyring;
  }

  /** True when `resource`'s objects are sealed. */
  encrypts(resource: string): boolean {
    return this.#resources.has(resource);
  }

  /** The key a stored object was sealed with (undefined: stored in plain text). */
  static sealedWith(stored: KubeObject): string | undefined {
    const s = (stored as Envelope)[SEALED_FIELD];
    return typeof s === 'string' ? sealedKeyName(s) : undefined;
  }

  seal(key: ObjectKey, obj: KubeObject): KubeObject {
    const env: Envelope = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) } };
    env[SEALED_FIELD] = this.#keyring.seal(JSON.stringify(withoutResourceVersion(obj)), aad(key));
    return env;
  }

  open(key: ObjectKey, stored: KubeObject): KubeObject {
    const sealed = (stored as Envelope)[SEALED_FIELD];
    if (typeof sealed !== 'string') return stored;
    const obj = JSON.parse(this.#keyring.open(sealed, aad(key))) as KubeObject;
    obj.metadata = { ...obj.metadata, resourceVersion: stored.metadata.resourceVersion };
    return obj;
  }

  #openText(resource: string, raw: RawText): string {
    const text = rawTextString(raw);
    const stored = JSON.parse(text) as KubeObject;
    return (stored as Envelope)[SEALED_FIELD] === undefined ? text : JSON.stringify(this.open(keyOf(resource, stored), stored));
  }

  #listOptions(resource: string, opts: ListOptions | undefined): ListOptions | undefined {
    const filter = opts?.filter;
    if (!filter) return opts;
    return { ...opts, filter: (o) => filter(this.open(keyOf(resource, o), o)) };
  }

  get(key: ObjectKey): Awaitable<KubeObject | undefined> {
    if (!this.#resources.has(key.resource)) return this.inner.get(key);
    return then(this.inner.get(key), (o) => o && this.open(key, o));
  }

  getCached(key: ObjectKey): KubeObject | undefined {
    const o = this.inner.getCached?.(key);
    return o && this.#resources.has(key.resource) ? this.open(key, o) : o;
  }

  getRaw(key: ObjectKey): Awaitable<string | undefined> {
    if (!this.#resources.has(key.resource)) return this.inner.getRaw(key);
    return then(this.inner.getRaw(key), (t) => t && this.#openText(key.resource, t));
  }

  list(resource: string, opts?: ListOptions): Awaitable<ListResult> {
    if (!this.#resources.has(resource)) return this.inner.list(resource, opts);
    return then(this.inner.list(resource, this.#listOptions(resource, opts)), (r) => ({ ...r, items: r.items.map((o) => this.open(keyOf(resource, o), o)) }));
  }

  listRaw(resource: string, opts?: ListOptions): Awaitable<RawListResult> {
    if (!this.#resources.has(resource)) return this.inner.listRaw(resource, opts);
    return then(this.inner.listRaw(resource, this.#listOptions(resource, opts)), (r) => ({ ...r, items: r.items.map((t) => this.#openText(resource, t)) }));
  }

  create(key: ObjectKey, obj: KubeObject): Awaitable<KubeObject> {
    if (!this.#resources.has(key.resource)) return this.inner.create(key, obj);
    return then(this.inner.create(key, this.seal(key, obj)), (stored) => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: stored.metadata.resourceVersion } }));
  }

  update(key: ObjectKey, mutate: (current: KubeObject) => KubeObject | null, expectedRevision?: number, known?: KubeObject): Awaitable<KubeObject> {
    // `known` is the caller's plain object: passed on only where nothing is sealed.
    if (!this.#resources.has(key.resource)) return this.inner.update(key, mutate, expectedRevision, known);
    const sealedMutate = (current: KubeObject): KubeObject | null => {
      const plain = this.open(key, current);
      const next = mutate(plain);
      if (next === null || typeof next !== 'object') return next;
      // An update that changes nothing writes nothing (the storage compares texts, and a new
      // nonce would always differ), unless the object is to move to the sealing key or out of
      // plain text: a rotation re-seals with an update that changes nothing else.
      const upToDate = EncryptingStorage.sealedWith(current) === this.#keyring.active;
      if (upToDate && JSON.stringify(withoutResourceVersion(next)) === JSON.stringify(withoutResourceVersion(plain))) return current;
      return this.seal(key, next);
    };
    return then(this.inner.update(key, sealedMutate, expectedRevision), (stored) => this.open(key, stored));
  }

  delete(key: ObjectKey, expectedRevision?: number): Awaitable<KubeObject> {
    if (!this.#resources.has(key.resource)) return this.inner.delete(key, expectedRevision);
    return then(this.inner.delete(key, expectedRevision), (stored) => this.open(key, stored));
  }

  watch(resource: string, opts: WatchOptions, onEvent: (e: StorageEvent) => void): Watcher {
    if (!this.#resources.has(resource)) return this.inner.watch(resource, opts, onEvent);
    return this.inner.watch(resource, opts, (e) => onEvent(this.#openEvent(e)));
  }

  #openEvent(e: StorageEvent): StorageEvent {
    let o = this.#opened.get(e);
    if (!o) {
      const object = this.open(e.key, e.object);
      const prev = e.prevObject;
      o = { type: e.type, revision: e.revision, key: e.key, object, raw: JSON.stringify(object) };
      if (prev) o.prevObject = this.open(e.key, prev);
      this.#opened.set(e, o);
    }
    return o;
  }

  currentRevision(): number {
    return this.inner.currentRevision();
  }

  compactedRevision(): number {
    return this.inner.compactedRevision();
  }

  stats(): StorageStats {
    return this.inner.stats();
  }

  close(): void {
    this.inner.close();
  }
}
