// The Storage interface on etcd v3 (docs/adr/0004-etcd-storage.md), the shape kube-apiserver's
// etcd3 store has: one key per object under a per-resource prefix; resourceVersion is the key's
// mod revision; creates, updates and deletes are transactions comparing the create/mod revision
// read before, so concurrent writers on any number of API servers get Conflict, never a lost
// update; reads are quorum reads. Watches are served from one supervised etcd watch on the whole
// prefix (./watch-stream.ts) through a window of recent events and the in-process hub shared with
// the SQLite backend, so N watchers cost one etcd watch. Compaction runs on a schedule, CAS-guarded
// so several API servers compact once per period between them.
import type { KubeObject } from '@skiff/api';
import type { IEvent, IKeyValue, IRangeResponse, IRequestOp } from 'etcd3';
import type { ListOptions, ListResult, ObjectKey, RawListResult, Storage, StorageEvent, StorageStats, WatchOptions, Watcher } from '../types.ts';
import { StorageError } from '../types.ts';
import { LazyEvent } from '../watch/event.ts';
import { rawTextString, withResourceVersion, withStoredText } from '../object-text.ts';
import { HubWatcher, WatchHub } from '../watch/hub.ts';
import { decodeContinue, encodeContinue } from '../sqlite/continue-token.ts';
import { KeyCodec, bytesAt, encodeObject, keyAfter, prefixEnd, textAt } from './codec.ts';
import { EventWindow } from './window.ts';
import { ObjectCache } from './object-cache.ts';
import { connectHint } from './connect-hint.ts';
import { EtcdWatchStream } from './watch-stream.ts';
import { EtcdKv } from './kv-client.ts';
import { ETCD_DEFAULTS } from './options.ts';
import { callEtcd, type AttemptOptions } from './fault-handling.ts';
import type { EtcdStorageOptions, ResolvedEtcdOptions } from './options.ts';
import type { StorageOp } from '../sqlite/options.ts';

const keyString = (k: ObjectKey) => `${k.resource}/${k.namespace ? `${k.namespace}/` : ''}${k.name}`;
/**
 * The HTTP/2 flow-control window for etcd's answers, per stream and per connection. With the
 * default 64 KiB, a list chunk (a few MB) came in 64 KiB at a time, etcd waiting for each window
 * update from a busy event loop; this holds two chunks of pods (the one being processed and the
 * next, asked for meanwhile) with room to spare.
 */
const FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;
/** How long a LIST waits for the watch to reach etcd's current revision before reading etcd instead. */
const CACHE_WAIT_MS = 2000;
/** A failed fill of the object cache is tried again after this long. */
const CACHE_REFILL_MS = 1000;
/** Read-modify-write attempts of update()/delete() without an expected revision. */
const MAX_ATTEMPTS = 64;

/** Everything the watch of an expiring watcher needs to end it with 410. */
interface Subscription {
  watcher: HubWatcher;
  onExpired?: () => void;
}

export class EtcdStorage implements Storage {
  /** Every call to etcd: KV, the watch stream, Status (./kv-client.ts). */
  readonly #kv: EtcdKv;
  readonly keys: KeyCodec;
  readonly #o: ResolvedEtcdOptions;
  readonly #hub: WatchHub;
  readonly #window: EventWindow;
  readonly #subs = new Set<Subscription>();
  readonly #stream: EtcdWatchStream;
  readonly #openedAt = Date.now();
  #compacted = 0;
  #compactTimer: NodeJS.Timeout | undefined;
  #lastCompactSeen = 0;
  #compactKeyVersion = 0;
  #closed = false;
  #dbBytes = 0;
  #statusTimer: NodeJS.Timeout;
  readonly #cache = new ObjectCache();
  /** Bumped by every fill of the cache: an older fill still running stops. */
  #fillGeneration = 0;

  /** Connects, reads the current revision, and starts the watch from it. */
  static async open(options: EtcdStorageOptions): Promise<EtcdStorage> {
    const o: ResolvedEtcdOptions = { ...ETCD_DEFAULTS, ...options };
    if (options.tls && !options.tls.ca) throw new Error('etcd over TLS needs the CA certificate (--datastore-cafile)');
    const kv = new EtcdKv(options.hosts, options.tls ? { ca: options.tls.ca!, cert: options.tls.cert, key: options.tls.key } : undefined, FLOW_CONTROL_WINDOW);
    const keys = new KeyCodec(o.prefix);
    let revision: number;
    try {
      const r = await callEtcd((c) => kv.range({ key: keys.internal('probe'), count_only: true }, c), { budgetMs: o.requestTimeoutMs });
      revision = Number(r.header.revision);
    } catch (e) {
      kv.close();
      const hint = connectHint((e as Error).message, options.tls);
      throw new Error(`etcd at ${options.hosts.join(',')} did not answer${hint ? ` (${hint})` : ''}: ${(e as Error).message}`);
    }
    return new EtcdStorage(kv, keys, o, revision);
  }

  private constructor(kv: EtcdKv, keys: KeyCodec, o: ResolvedEtcdOptions, revision: number) {
    this.#kv = kv;
    this.keys = keys;
    this.#o = o;
    this.#hub = new WatchHub(o.onWatchError ?? ((err, resource) => o.onLog?.(`watch callback for ${resource} failed`, err)));
    this.#window = new EventWindow(o.windowSize, o.windowMaxBytes, revision);
    const prefix = Buffer.from(keys.prefix);
    const source = {
      members: kv.members,
      get preferred() {
        return kv.preferred;
      },
      watch: kv.watch.bind(kv),
      revision: async () => Number((await this.#call((c) => kv.range({ key: prefix, count_only: true }, c))).header.revision),
    };
    this.#stream = new EtcdWatchStream(source, prefix, revision + 1, {
      onEvents: (events) => this.#onEvents(events),
      onCompacted: (compacted, restartAt) => this.#expireAll(compacted, restartAt),
      onError: (err) => o.onLog?.('etcd watch', err),
    }, { checkIntervalMs: o.watchCheckIntervalMs, stallMs: o.watchStallMs });
    this.#lastCompactSeen = revision;
    void this.#refill();
    // The database size for metrics (the preferred member's own figure; refreshed in the background).
    const refresh = () => {
      kv.status(kv.preferred, { deadline: new Date(Date.now() + o.requestTimeoutMs) }).then(
        (st) => (this.#dbBytes = Number(st.dbSize)),
        () => {},
      );
    };
    refresh();
    this.#statusTimer = setInterval(refresh, 10_000);
    this.#statusTimer.unref();
    if (o.compactIntervalMs > 0) {
      this.#compactTimer = setInterval(() => void this.compactOnce().catch((e) => o.onLog?.('etcd compaction failed', e)), o.compactIntervalMs);
      this.#compactTimer.unref();
    }
  }

  // ---- reads (quorum reads: they see every write acknowledged by any API server) ----

  async get(key: ObjectKey): Promise<KubeObject | undefined> {
    const raw = await this.#getRaw(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as KubeObject);
  }

  /** From the object cache once it is filled (see Storage.getCached: a guess, not a read). */
  getCached(key: ObjectKey): KubeObject | undefined {
    if (!this.#cache.ready) return undefined;
    const e = this.#cache.get(key.resource, `${key.namespace}/${key.name}`);
    return e && (JSON.parse(textAt(e.value.toString('utf8'), e.revision)) as KubeObject);
  }

  getRaw(key: ObjectKey): Promise<string | undefined> {
    return this.#timed('get', this.#getRaw(key));
  }

  async #getRaw(key: ObjectKey): Promise<string | undefined> {
    const r = await this.#call((c) => this.#kv.range({ key: this.keys.key(key) }, c));
    const kv = r.kvs[0];
    return kv ? textAt(kv.value.toString('utf8'), kv.mod_revision) : undefined;
  }

  async list(resource: string, opts: ListOptions = {}): Promise<ListResult> {
    const r = await this.listRaw(resource, opts);
    return { ...r, items: r.items.map((t) => JSON.parse(rawTextString(t)) as KubeObject) };
  }

  /**
   * A list at one revision: the first page is read at the current one, and a `continue` token
   * carries it so the next pages are read at the same revision (MVCC, as Kubernetes does) until
   * it is compacted (then Expired: the client relists).
   */
  listRaw(resource: string, opts: ListOptions = {}): Promise<RawListResult> {
    return this.#timed('list', this.#list(resource, opts));
  }

  async #list(resource: string, opts: ListOptions): Promise<RawListResult> {
    if (!opts.continue && !(opts.limit && opts.limit > 0) && this.#cache.ready) {
      const cached = await this.#listFromCache(resource, opts);
      if (cached) return cached;
    }
    const collection = this.keys.collection(resource, opts.namespace);
    const end = prefixEnd(collection);
    let start = collection;
    let revision = 0;
    if (opts.continue) {
      const pos = decodeContinue(opts.continue);
      if (!pos) throw new StorageError('Expired', 'malformed continue token');
      revision = pos.revision;
      start = keyAfter(this.keys.key({ resource, namespace: pos.namespace, name: pos.name }));
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: Buffer[][] = [];
    let lastKey: Buffer | undefined;
    let more = false;
    let remaining: number | undefined;
    const range = (from: Buffer): Promise<IRangeResponse> => {
      const want = limit && !opts.filter ? limit - items.length : this.#o.listChunk;
      return this.#call((c) => this.#kv.range({ key: from, range_end: end, limit: want, revision: revision || undefined }, c));
    };
    let pending = range(start);
    for (;;) {
      const r = await pending;
      if (!revision) revision = Number(r.header.revision);
      // A whole list needs every chunk: the next one is asked for before this one is processed,
      // so that etcd reads and sends it meanwhile (at the same revision, from this chunk's last key).
      const prefetched = !limit && r.more && r.kvs.length > 0;
      if (prefetched) {
        pending = range(keyAfter(r.kvs[r.kvs.length - 1].key));
        pending.catch(() => {}); // awaited below; a failure while this chunk is processed is not unhandled
      }
      let i = 0;
      for (; i < r.kvs.length; i++) {
        if (limit && items.length >= limit) break;
        const kv = r.kvs[i];
        const text = bytesAt(kv.value, kv.mod_revision);
        lastKey = kv.key;
        if (opts.filter && !opts.filter(JSON.parse(rawTextString(text)) as KubeObject)) continue;
        items.push(text);
      }
      const moreInRange = i < r.kvs.length || r.more;
      if (limit && items.length >= limit) {
        more = moreInRange;
        if (more && !opts.filter) remaining = Number(r.count) - i;
        break;
      }
      if (!r.more || r.kvs.length === 0) break;
      if (!prefetched) pending = range(keyAfter(r.kvs[r.kvs.length - 1].key));
    }
    const out: RawListResult = { items, revision };
    const last = more && lastKey ? this.keys.decode(lastKey) : undefined;
    if (last) {
      out.continue = encodeContinue({ revision, namespace: last.namespace, name: last.name });
      if (remaining !== undefined) out.remainingItemCount = remaining;
    }
    return out;
  }

  /**
   * A whole list from the object cache, as consistent as a quorum read: a fence write under the
   * prefix gets a revision after every write acknowledged before the list began, and the list is
   * served once the watch has delivered that write (so every change before it). A progress
   * notification would spare the write, but etcd 3.4 can send one ahead of the events it covers
   * (./watch-stream.ts). Undefined when the fence fails or is not seen in time, or the cache is
   * not filled: the caller reads etcd.
   */
  async #listFromCache(resource: string, opts: ListOptions): Promise<RawListResult | undefined> {
    let fence: number;
    try {
      fence = Number((await this.#call((c) => this.#kv.put({ key: this.keys.internal('list-fence'), value: Buffer.alloc(0) }, c))).header.revision);
    } catch {
      return undefined; // e.g. etcd out of space: a read may still work
    }
    if (!(await this.#stream.waitFor(fence, CACHE_WAIT_MS)) || !this.#cache.ready) return undefined;
    // The cache holds exactly the delivered events: that is the list's revision.
    const revision = this.#stream.delivered;
    let items = this.#cache.list(resource, opts.namespace);
    const filter = opts.filter;
    if (filter) items = items.filter((t) => filter(JSON.parse(rawTextString(t)) as KubeObject));
    return { items, revision };
  }

  /**
   * Fills the object cache anew: everything under the prefix read at one revision, in chunks,
   * while the watch goes on applying newer changes (./object-cache.ts). Tried again later when
   * etcd fails it; an older fill still running gives way.
   */
  async #refill(): Promise<void> {
    const generation = ++this.#fillGeneration;
    this.#cache.reset();
    const prefix = Buffer.from(this.keys.prefix);
    const end = prefixEnd(prefix);
    let start: Buffer = prefix;
    let revision = 0;
    try {
      for (;;) {
        const r: IRangeResponse = await this.#call((c) => this.#kv.range({ key: start, range_end: end, limit: this.#o.listChunk, revision: revision || undefined }, c));
        if (generation !== this.#fillGeneration || this.#closed) return;
        if (!revision) revision = Number(r.header.revision);
        for (const kv of r.kvs) {
          const k = this.keys.decode(kv.key);
          if (k) this.#cache.fill(k.resource, `${k.namespace}/${k.name}`, kv.value, Number(kv.mod_revision));
        }
        if (!r.more || r.kvs.length === 0) break;
        start = keyAfter(r.kvs[r.kvs.length - 1].key);
      }
      this.#cache.filled();
    } catch (e) {
      if (generation !== this.#fillGeneration || this.#closed) return;
      this.#o.onLog?.('filling the object cache failed; lists read etcd until it is filled', e);
      const t = setTimeout(() => void this.#refill(), CACHE_REFILL_MS);
      t.unref();
    }
  }

  /** Whether lists are served from the object cache now (tests). */
  get objectCacheReady(): boolean {
    return this.#cache.ready;
  }

  // ---- writes ----

  create(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    return this.#timed('create', this.#create(key, obj));
  }

  async #create(key: ObjectKey, obj: KubeObject): Promise<KubeObject> {
    const k = this.keys.key(key);
    const value = encodeObject(obj);
    const r = await this.#call((c) =>
      this.#kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: k } }],
      }, c),
    );
    // The caller's object, stamped: what was stored, without parsing back the text just written.
    if (r.succeeded) return withStoredText(withResourceVersion(obj, Number(r.header.revision)), textAt(value, r.header.revision));
    const existing = r.responses[0]?.response_range?.kvs[0];
    // The client retries a call whose answer was lost; if the first attempt committed, the key
    // holds exactly what we wrote, untouched since: that is our create, not a conflict.
    if (existing && existing.create_revision === existing.mod_revision && existing.value.toString('utf8') === value) {
      return withResourceVersion(obj, Number(existing.mod_revision));
    }
    throw new StorageError('AlreadyExists', `${keyString(key)} already exists`);
  }

  update(key: ObjectKey, mutate: (current: KubeObject) => KubeObject | null, expectedRevision?: number, known?: KubeObject): Promise<KubeObject> {
    return this.#timed('update', this.#update(key, mutate, expectedRevision, known));
  }

  async #update(key: ObjectKey, mutate: (current: KubeObject) => KubeObject | null, expectedRevision?: number, known?: KubeObject): Promise<KubeObject> {
    const k = this.keys.key(key);
    // The caller's object at the expected revision spares the read: the write is conditional on
    // that revision anyway, and its failure says NotFound or Conflict as the read would have.
    if (expectedRevision !== undefined && known && Number(known.metadata.resourceVersion) === expectedRevision) return this.#replace(k, key, mutate(known), encodeObject(known), expectedRevision);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.#read(k, key, expectedRevision);
      const storedText = kv.value.toString('utf8');
      const current = JSON.parse(textAt(storedText, kv.mod_revision)) as KubeObject;
      try {
        return await this.#replace(k, key, mutate(current), storedText, Number(kv.mod_revision));
      } catch (e) {
        // Another writer got in between: the caller's Conflict when it expected a revision, else
        // read again and recompute (kube's GuaranteedUpdate).
        if (expectedRevision !== undefined || !(e instanceof StorageError && e.code === 'Conflict')) throw e;
      }
    }
    throw new StorageError('Conflict', `${keyString(key)}: too many concurrent updates`);
  }

  /**
   * One conditional write of `next` (null: a delete) over the object stored as `storedText` at
   * exactly `revision`; an unchanged object writes nothing (as Kubernetes). Throws NotFound or
   * Conflict when the key is gone or has moved on.
   */
  async #replace(k: Buffer, key: ObjectKey, next: KubeObject | null, storedText: string, revision: number): Promise<KubeObject> {
    if (next !== null && typeof next !== 'object') throw new TypeError(`update of ${keyString(key)}: mutate returned ${typeof next}, expected an object or null`);
    const value = next === null ? '' : encodeObject(next);
    // The caller's object, stamped, with the text stored for it (no parse of what was just written).
    if (next !== null && value === storedText) return withStoredText(withResourceVersion(next, revision), textAt(storedText, revision));
    const op: IRequestOp = next === null ? { request_delete_range: { key: k } } : { request_put: { key: k, value: Buffer.from(value) } };
    const r = await this.#call((c) => this.#kv.txn({ compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: revision }], success: [op], failure: [{ request_range: { key: k } }] }, c));
    if (r.succeeded) return next === null ? (JSON.parse(textAt(storedText, r.header.revision)) as KubeObject) : withStoredText(withResourceVersion(next, Number(r.header.revision)), textAt(value, r.header.revision));
    const now = r.responses[0]?.response_range?.kvs[0];
    if (!now) throw new StorageError('NotFound', `${keyString(key)} not found`);
    throw new StorageError('Conflict', `${keyString(key)} is at revision ${now.mod_revision}, not ${revision}`);
  }

  delete(key: ObjectKey, expectedRevision?: number): Promise<KubeObject> {
    return this.#timed('delete', this.#delete(key, expectedRevision));
  }

  async #delete(key: ObjectKey, expectedRevision?: number): Promise<KubeObject> {
    const k = this.keys.key(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const kv = await this.#read(k, key, expectedRevision);
      const r = await this.#call((c) =>
        this.#kv.txn({ compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }], success: [{ request_delete_range: { key: k } }] }, c),
      );
      // The last state, stamped with the deletion's revision (as the DELETED event carries it).
      if (r.succeeded) return JSON.parse(textAt(kv.value.toString('utf8'), r.header.revision)) as KubeObject;
      if (expectedRevision !== undefined) await this.#read(k, key, expectedRevision);
    }
    throw new StorageError('Conflict', `${keyString(key)}: too many concurrent updates`);
  }

  /** The key's current entry; NotFound, or Conflict when it is not at `expectedRevision`. */
  async #read(k: Buffer, key: ObjectKey, expectedRevision: number | undefined): Promise<IKeyValue> {
    const r = await this.#call((c) => this.#kv.range({ key: k }, c));
    const kv = r.kvs[0];
    if (!kv) throw new StorageError('NotFound', `${keyString(key)} not found`);
    if (expectedRevision !== undefined && Number(kv.mod_revision) !== expectedRevision) {
      throw new StorageError('Conflict', `${keyString(key)} is at revision ${kv.mod_revision}, not ${expectedRevision}`);
    }
    return kv;
  }

  async #timed<T>(op: StorageOp, p: Promise<T>): Promise<T> {
    if (!this.#o.onTiming) return p;
    const t0 = performance.now();
    try {
      return await p;
    } finally {
      try {
        this.#o.onTiming(op, performance.now() - t0);
      } catch {
        // A metrics hook must not fail a storage operation.
      }
    }
  }

  /** Runs one etcd call, retried within its deadline (./fault-handling.ts); failures are StorageErrors. */
  #call<T>(send: (options: AttemptOptions) => Promise<T>): Promise<T> {
    return callEtcd(send, { budgetMs: this.#o.requestTimeoutMs, closed: () => this.#closed });
  }

  // ---- watch ----

  #onEvents(events: IEvent[]): void {
    for (const e of events) {
      const key = this.keys.decode(e.kv.key);
      if (!key) continue;
      const revision = Number(e.kv.mod_revision);
      let ev: LazyEvent;
      this.#cache.apply(key.resource, `${key.namespace}/${key.name}`, e.type === 'Delete' ? undefined : e.kv.value, revision);
      if (e.type === 'Delete') {
        if (!e.prev_kv) continue; // compacted away before we saw it; nothing to tell
        const prev = e.prev_kv.value.toString('utf8');
        ev = new LazyEvent('DELETED', revision, key, textAt(prev, revision), textAt(prev, e.prev_kv.mod_revision));
      } else {
        const text = textAt(e.kv.value.toString('utf8'), revision);
        const created = e.kv.create_revision === e.kv.mod_revision;
        const prevRaw = !created && e.prev_kv ? textAt(e.prev_kv.value.toString('utf8'), e.prev_kv.mod_revision) : undefined;
        ev = new LazyEvent(created ? 'ADDED' : 'MODIFIED', revision, key, text, prevRaw);
      }
      this.#window.push(ev);
      this.#hub.publish(ev);
    }
  }

  /**
   * History after `opts.fromRevision` from the window, then live events from the hub, in order,
   * none twice. Older than the window: Expired (410, the client relists), as kube-apiserver's
   * watch cache answers. `onExpired` is called if the watch cannot go on later (the etcd watch
   * lost history during an outage): the watcher is closed first.
   */
  watch(resource: string, opts: WatchOptions & { onExpired?: () => void }, onEvent: (e: StorageEvent) => void): Watcher {
    if (this.#closed) throw new Error('storage is closed');
    const from = opts.fromRevision;
    if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`fromRevision must be a non-negative integer, got ${from}`);
    if (from < this.#window.startRevision) {
      throw new StorageError('Expired', `revision ${from} is older than this server's watch window (from ${this.#window.startRevision})`);
    }
    const w = new HubWatcher(this.#hub, resource, opts.namespace, from, onEvent);
    for (const ev of this.#window.after(from)) {
      if (w.closed) break;
      if (w.matches(ev)) {
        w.offer(ev);
        ev.release();
      }
    }
    if (w.closed) return w;
    this.#hub.add(w);
    const sub: Subscription = { watcher: w, onExpired: opts.onExpired };
    this.#subs.add(sub);
    return {
      close: () => {
        this.#subs.delete(sub);
        w.close();
      },
    };
  }

  #expireAll(compacted: number, restartAt: number): void {
    this.#compacted = Math.max(this.#compacted, compacted);
    this.#window.reset(restartAt - 1);
    // The cache missed the lost events: filled anew (lists read etcd meanwhile).
    void this.#refill();
    this.#o.onLog?.(`etcd watch resumed after compaction at ${compacted}: ${this.#subs.size} watchers must relist`);
    const subs = [...this.#subs];
    this.#subs.clear();
    for (const s of subs) {
      s.watcher.close();
      try {
        s.onExpired?.();
      } catch {
        // the watcher's owner failing must not stop the others
      }
    }
  }

  // ---- revisions, compaction, stats ----

  /** The revision every change up to which has reached the watchers (the watch's position: delivered events alone move it). */
  currentRevision(): number {
    return Math.max(this.#stream.delivered, this.#window.startRevision);
  }

  compactedRevision(): number {
    return this.#compacted;
  }

  /** The revision the watch's member last reported in a progress notification or event (tests). */
  get watchMemberProgress(): number {
    return this.#stream.memberProgress;
  }

  /** Times the watch stream was replaced (tests). */
  get watchReconnects(): number {
    return this.#stream.reconnects;
  }

  /** Replaces the etcd watch stream now, as after a lost connection (tests). */
  restartWatchStream(): void {
    this.#stream.restart();
  }

  /**
   * One compaction step, kube-apiserver's algorithm: compact to the revision the previous step
   * saw, if no other API server did so since (a compare-and-swap on a bookkeeping key's version).
   * Returns the revision compacted to, or 0.
   */
  async compactOnce(): Promise<number> {
    const k = this.keys.internal('compact_rev_key');
    const target = this.#lastCompactSeen;
    const r = await this.#call((c) =>
      this.#kv.txn({
        compare: [{ key: k, target: 'Version', result: 'Equal', version: this.#compactKeyVersion }],
        success: [{ request_put: { key: k, value: Buffer.from(String(target)) } }],
        failure: [{ request_range: { key: k } }],
      }, c),
    );
    this.#lastCompactSeen = Number(r.header.revision);
    if (!r.succeeded) {
      // Another server compacted this period; follow its key version and skip.
      const kv = r.responses[0]?.response_range?.kvs[0];
      this.#compactKeyVersion = kv ? Number(kv.version) : 0;
      return 0;
    }
    this.#compactKeyVersion++;
    if (target <= this.#compacted) return 0;
    try {
      await this.#call((c) => this.#kv.compact({ revision: target, physical: false }, c));
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'Expired')) throw e;
    }
    this.#compacted = Math.max(this.#compacted, target);
    return target;
  }

  stats(): StorageStats {
    return {
      dbBytes: this.#dbBytes,
      walBytes: 0,
      revision: this.currentRevision(),
      compactedRevision: this.#compacted,
      watchers: this.#hub.size,
      ringEvents: this.#window.length,
      ringOldestRevision: this.#window.startRevision,
      openedAt: this.#openedAt,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#compactTimer) clearInterval(this.#compactTimer);
    clearInterval(this.#statusTimer);
    this.#stream.close();
    this.#hub.closeAll();
    this.#subs.clear();
    this.#kv.close();
  }
}
