// The storage interface the routes are written against. Two implementations: SQLite (./sqlite/,
// the default: embedded, synchronous) and etcd v3 (./etcd/, for several API servers). Calls may
// answer at once or with a promise (etcd is a network away): callers always await them.
import type { KubeObject } from '@skiff/api';

/** Identifies one object: resource plural (with group prefix for non-core, e.g. `apps/deployments`), namespace ('' for cluster-scoped), name. */
export interface ObjectKey {
  resource: string;
  namespace: string;
  name: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: WatchEventType;
  /** Revision of this change; equals the object's metadata.resourceVersion (for DELETED: the deletion's revision). */
  revision: number;
  key: ObjectKey;
  /** The object after the change (for DELETED: the last state, with resourceVersion set to the deletion revision). */
  object: KubeObject;
  /** The object before the change, for MODIFIED and DELETED (lets watchers with selectors send DELETED when an object stops matching). */
  prevObject?: KubeObject;
  /** Extension: `object` as stored JSON text (resourceVersion embedded), so a watch route can send it without re-serializing. */
  raw?: string;
}

export interface ListOptions {
  /** Restrict to one namespace; undefined lists every namespace. */
  namespace?: string;
  /** Max items; 0/undefined means all. */
  limit?: number;
  /** Opaque token from a previous page. */
  continue?: string;
  /** Optional predicate applied before limit is counted (selectors). */
  filter?: (obj: KubeObject) => boolean;
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the list is consistent with. */
  revision: number;
  /** Token for the next page, when more remain. */
  continue?: string;
  remainingItemCount?: number;
}

/**
 * An object's stored JSON text, resourceVersion embedded: a string (SQLite), or the text's UTF-8
 * bytes in consecutive pieces (etcd: the stored bytes around the resourceVersion spliced in), so
 * that a large list goes out as the bytes etcd sent, never decoded into strings only to be
 * encoded again for the socket. rawTextString() (./object-text.ts) makes either a string.
 */
export type RawText = string | readonly Buffer[];

/** Extension: a list whose items are the stored JSON texts, ready to be joined into a response body. */
export interface RawListResult {
  items: RawText[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

/** Extension: figures for metrics. */
export interface StorageStats {
  /** Size of the main database file. */
  dbBytes: number;
  /** Size of the write-ahead log file (0 after a TRUNCATE checkpoint). */
  walBytes: number;
  revision: number;
  compactedRevision: number;
  /** Open watchers. */
  watchers: number;
  /** Events held in the in-memory ring of recent changes, and the oldest revision it covers. */
  ringEvents: number;
  ringOldestRevision: number;
  /** Epoch ms when this storage was opened. */
  openedAt: number;
}

export interface WatchOptions {
  namespace?: string;
  /** Deliver events with revision > fromRevision. Throws StorageError('Expired') when older than the retained history. */
  fromRevision: number;
  /**
   * Called (once, after the watcher was closed) when the storage cannot continue this watch
   * without a gap, e.g. history was compacted while etcd was unreachable: the client must relist.
   * The SQLite backend never calls it.
   */
  onExpired?: () => void;
}

/** A value now, or a promise of it: SQLite answers synchronously, etcd asynchronously. */
export type Awaitable<T> = T | Promise<T>;

export interface Watcher {
  /** Stop delivering events. Idempotent. */
  close(): void;
}

export class StorageError extends Error {
  /**
   * Unavailable: the datastore could not be reached or had no quorum in time (a 503, retryable).
   * TooLarge: the datastore refused the object's size (etcd's --max-request-bytes; a 413).
   */
  readonly code: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'Unavailable' | 'TooLarge';
  constructor(code: StorageError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

export interface Storage {
  get(key: ObjectKey): Awaitable<KubeObject | undefined>;
  /**
   * The object as this server last saw it, from memory, possibly behind the store (the etcd
   * backend's object cache); undefined when not known. Never an answer to a client's read: only
   * the first guess of a read-modify-write whose write is conditional on the revision it
   * carries, so a stale guess costs a Conflict and a real read (kube's GuaranteedUpdate starts
   * from its watch cache's object likewise). Backends whose reads are local need not have it.
   */
  getCached?(key: ObjectKey): KubeObject | undefined;
  list(resource: string, opts?: ListOptions): Awaitable<ListResult>;
  /** Stores a new object; sets metadata.resourceVersion. Throws StorageError('AlreadyExists'). */
  create(key: ObjectKey, obj: KubeObject): Awaitable<KubeObject>;
  /**
   * Atomic read-modify-write: `mutate` receives the current object (a private copy) and returns
   * the next one, or null to delete it. Throws StorageError('NotFound') if absent, and
   * StorageError('Conflict') when `expectedRevision` is given and differs from the stored one.
   * `mutate` may be called more than once (etcd retries when another writer got in between).
   * `known`: the object as the caller has just read it, at `expectedRevision`; a storage whose
   * reads cost a round trip (etcd) may hand it to `mutate` (as is, not a copy) instead of reading
   * it again, as kube-apiserver's GuaranteedUpdate starts from the object it has. The write is
   * still conditional on `expectedRevision`, so a stale `known` is a Conflict, never lost data.
   */
  update(key: ObjectKey, mutate: (current: KubeObject) => KubeObject | null, expectedRevision?: number, known?: KubeObject): Awaitable<KubeObject>;
  /** Deletes; returns the last state. Throws NotFound / Conflict (expectedRevision). */
  delete(key: ObjectKey, expectedRevision?: number): Awaitable<KubeObject>;
  /**
   * Subscribes to changes of one resource, in revision order, none lost. History after
   * fromRevision is delivered before the call returns; `onEvent` is called synchronously in
   * revision order.
   */
  watch(resource: string, opts: WatchOptions, onEvent: (e: StorageEvent) => void): Watcher;
  /** The newest revision whose changes have all reached the watchers. */
  currentRevision(): number;
  /** The oldest revision a watch may still resume from (as far as this storage knows). */
  compactedRevision(): number;
  close(): void;

  /** The stored JSON text of an object, resourceVersion embedded: lets GET answer without parse + stringify. */
  getRaw(key: ObjectKey): Awaitable<string | undefined>;
  /** Like list(), items as stored JSON texts. */
  listRaw(resource: string, opts?: ListOptions): Awaitable<RawListResult>;
  /** Figures for metrics. */
  stats(): StorageStats;

  // Group commit, which only the SQLite storage has.
  /** True while writes are not yet durable (group commit): wait for flush() before acknowledging. */
  hasPendingWrites?(): boolean;
  /** Resolves once every write made so far is committed (at once without group commit). */
  flush?(): Promise<void>;
}
