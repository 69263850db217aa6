// The SQLite implementation of Storage: one database file in WAL mode, one connection, one
// process. Every write is one transaction that updates `objects` and appends to `log` under the
// next revision; after COMMIT the event goes into the in-memory ring and out to watchers, all in
// the same synchronous call, so watchers observe commits in revision order.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { KubeObject } from '@skiff/api';
import { StorageError } from '../types.ts';
import type { ListOptions, ListResult, ObjectKey, RawListResult, Storage, StorageEvent, StorageStats, Watcher, WatchOptions } from '../types.ts';
import { LazyEvent, TYPE_CODES, TYPE_NAMES } from '../watch/event.ts';
import { HubWatcher, WatchHub } from '../watch/hub.ts';
import { replayHistory } from '../watch/replay.ts';
import type { HistorySource } from '../watch/replay.ts';
import { EventRing } from '../watch/ring.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { scan } from './list-scan.ts';
import { acquireLock } from './lock.ts';
import { Checkpointer } from './checkpointer.ts';
import { Maintenance } from './maintenance.ts';
import { stampInPlace, withResourceVersion, withStoredText } from '../object-text.ts';
import { resolveOptions } from './options.ts';
import type { ResolvedOptions, SqliteStorageOptions, StorageOp } from './options.ts';
import { applyPragmas, META_COMPACTED, migrate } from './schema.ts';
import { prepareStatements } from './statements.ts';
import type { LogRow, ObjectRow, Statements } from './statements.ts';

const keyString = (k: ObjectKey) => `${k.resource}/${k.namespace ? `${k.namespace}/` : ''}${k.name}`;
const copyKey = (k: ObjectKey): ObjectKey => ({ resource: k.resource, namespace: k.namespace, name: k.name });

function eventFromRow(r: LogRow): LazyEvent {
  return new LazyEvent(TYPE_NAMES[r[1]], r[0], { resource: r[2], namespace: r[3], name: r[4] }, r[5], r[6] ?? undefined);
}

export class SqliteStorage implements Storage {
  readonly path: string;
  readonly #walPath: string;
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #o: ResolvedOptions;
  readonly #hub: WatchHub;
  readonly #ring: EventRing;
  readonly #maintenance: Maintenance;
  readonly #history: HistorySource;
  readonly #releaseLock: () => void;
  readonly #openedAt = Date.now();
  #rev: number;
  #compacted: number;
  /** Newest revision of each resource: lets a resuming watch skip history of a resource that did not change. */
  readonly #lastRevOf = new Map<string, number>();
  #inWrite = false;
  #closed = false;
  /** Writes since the maintenance pass last looked: 0 means idle, a good moment for a WAL truncate. */
  #writesSinceTick = 0;
  // Group commit: the open batch's events (published after COMMIT) and who waits for it.
  #batchOpen = false;
  #batchEvents: LazyEvent[] = [];
  #batchWaiters: { resolve(): void; reject(err: unknown): void }[] = [];
  #checkpointer?: Checkpointer;
  /** Whether the writer bounds the WAL itself (#boundWal): when it does not auto-checkpoint. */
  readonly #walNeedsBound: boolean;
  /** The newest revision known to be committed (#rev runs ahead of it while a batch is open). */
  #durableRev = 0;

  static open(path: string, options?: SqliteStorageOptions): SqliteStorage {
    return new SqliteStorage(path, options);
  }

  constructor(path: string, options?: SqliteStorageOptions) {
    this.path = path;
    this.#walPath = `${path}-wal`;
    this.#o = resolveOptions(options);
    this.#releaseLock = acquireLock(path);
    let db: Database.Database | undefined;
    try {
      this.#db = db = new Database(path);
      applyPragmas(db, {
        synchronous: this.#o.synchronous,
        busyTimeoutMs: this.#o.busyTimeoutMs,
        // Default 4000 pages (16 MiB) rather than SQLite's 1000: sequential inserts rewrite the
        // same rightmost leaf pages, so a longer WAL lets one checkpoint copy each page once
        // instead of many times; measured +25% creates/s. The size limit truncates the file back
        // after a reset.
        // With the checkpointer thread, the main connection never checkpoints inside a COMMIT.
        walAutocheckpointPages: this.#o.checkpointInWorker ? 0 : this.#o.walAutocheckpointPages,
        journalSizeLimitBytes: Math.max(24 * 1024 * 1024, this.#o.walAutocheckpointPages * 4096 * 1.5),
      });
      migrate(db);
      const s = (this.#s = prepareStatements(db));
      this.#compacted = s.getMeta.get(META_COMPACTED) ?? 0;
      // The log's newest row is the current revision; compaction always leaves it in place, and
      // the compacted mark covers the (impossible in practice) case of an empty log.
      this.#rev = Math.max(s.maxLogRevision.get() ?? 0, this.#compacted);
      this.#durableRev = this.#rev;
      for (const [resource, rev] of s.lastRevisionPerResource.all()) this.#lastRevOf.set(resource, rev);
      this.#ring = new EventRing(this.#o.ringSize, this.#o.ringMaxBytes);
      // Warm the ring from the log tail, so clients resuming watches after a restart hit memory.
      for (const row of s.logTail.all(this.#o.ringSize).reverse()) this.#ring.push(eventFromRow(row));
    } catch (e) {
      db?.close();
      this.#releaseLock();
      throw e;
    }
    this.#hub = new WatchHub(this.#o.onWatchError);
    this.#history = {
      ring: this.#ring,
      currentRevision: () => this.#rev,
      lastRevisionOf: (resource) => this.#lastRevOf.get(resource) ?? 0,
      // .all() rather than .iterate(): callbacks may write, which an open cursor would forbid.
      readLog: (resource, namespace, after, limit) =>
        (namespace === undefined ? this.#s.logAfter.all(resource, after, limit) : this.#s.logAfterNs.all(resource, after, namespace, limit)).map(eventFromRow),
    };
    this.#walNeedsBound = this.#o.checkpointInWorker || this.#o.walAutocheckpointPages <= 0;
    this.#maintenance = new Maintenance(this, this.#o);
    if (this.#o.checkpointInWorker) this.#checkpointer = new Checkpointer(path, 100, this.#o.onMaintenanceError);
  }

  // ---- reads ----

  get(key: ObjectKey): KubeObject | undefined {
    const raw = this.getRaw(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as KubeObject);
  }

  getRaw(key: ObjectKey): string | undefined {
    this.#assertOpen();
    const t0 = this.#o.onTiming ? performance.now() : 0;
    const raw = this.#s.getValue.get(key.resource, key.namespace, key.name);
    if (this.#o.onTiming) this.#time('get', t0);
    return raw;
  }

  list(resource: string, opts: ListOptions = {}): ListResult {
    const { result, objects } = this.#list(resource, opts, true);
    return { ...result, items: objects! } as ListResult;
  }

  listRaw(resource: string, opts: ListOptions = {}): RawListResult {
    return this.#list(resource, opts, false).result;
  }

  #list(resource: string, opts: ListOptions, parse: boolean): { result: RawListResult; objects: KubeObject[] | undefined } {
    this.#assertOpen();
    const t0 = this.#o.onTiming ? performance.now() : 0;
    try {
      // The whole read runs in one synchronous call on the only connection that writes, so it
      // sees exactly the state at #rev. A continued list reports the revision of its first page:
      // its items are read as of now, and a watch from the first page's revision replays every
      // change made since, so an informer still converges (see the ADR).
      let revision = this.#rev;
      let after: { namespace: string; name: string } | undefined;
      if (opts.continue) {
        const p = decodeContinue(opts.continue);
        if (!p || (opts.namespace !== undefined && p.namespace !== opts.namespace)) throw new StorageError('Expired', 'the continue token is not valid; restart the list');
        if (p.revision < this.#compacted) throw new StorageError('Expired', `the continue token's revision ${p.revision} has been compacted (oldest ${this.#compacted}); restart the list`);
        revision = p.revision;
        after = { namespace: p.namespace, name: p.name };
      }
      const r = scan(this.#s, resource, { namespace: opts.namespace, limit: opts.limit ?? 0, after, filter: opts.filter, parse });
      const result: RawListResult = { items: r.raws, revision };
      if (r.next) result.continue = encodeContinue({ revision, ...r.next });
      if (r.remaining !== undefined) result.remainingItemCount = r.remaining;
      return { result, objects: r.objects };
    } finally {
      if (this.#o.onTiming) this.#time('list', t0);
    }
  }

  // ---- writes ----

  create(key: ObjectKey, obj: KubeObject): KubeObject {
    const t0 = this.#o.onTiming ? performance.now() : 0;
    try {
      const rev = this.#rev + 1;
      const stored = withResourceVersion(obj, rev);
      const text = JSON.stringify(stored);
      this.#write(() => {
        if (this.#s.insertObject.run(key.resource, key.namespace, key.name, rev, text).changes === 0) {
          throw new StorageError('AlreadyExists', `${keyString(key)} already exists`);
        }
        this.#s.insertLog.run(rev, TYPE_CODES.ADDED, key.resource, key.namespace, key.name, text, null);
      });
      this.#committed(new LazyEvent('ADDED', rev, copyKey(key), text, undefined));
      return withStoredText(stored, text);
    } finally {
      if (this.#o.onTiming) this.#time('create', t0);
    }
  }

  update(key: ObjectKey, mutate: (current: KubeObject) => KubeObject | null, expectedRevision?: number): KubeObject {
    const t0 = this.#o.onTiming ? performance.now() : 0;
    try {
      let event: LazyEvent | undefined;
      const result = this.#write(() => {
        const row = this.#readForWrite(key, expectedRevision);
        const next = mutate(JSON.parse(row.value) as KubeObject);
        if (next === null) {
          const d = this.#deleteRow(key, row);
          event = d.event;
          return d.last;
        }
        if (typeof next !== 'object') throw new TypeError(`update of ${keyString(key)}: mutate returned ${typeof next}, expected an object or null`);
        // Like Kubernetes, an update that changes nothing writes nothing and keeps its revision,
        // so controllers re-applying the same status do not churn revisions and watch events.
        const unchanged = withResourceVersion(next, row.revision);
        if (JSON.stringify(unchanged) === row.value) return withStoredText(unchanged, row.value);
        const rev = this.#rev + 1;
        const stored = withResourceVersion(next, rev);
        const text = JSON.stringify(stored);
        this.#s.updateObject.run(rev, text, row.id);
        this.#s.insertLog.run(rev, TYPE_CODES.MODIFIED, key.resource, key.namespace, key.name, text, row.value);
        event = new LazyEvent('MODIFIED', rev, copyKey(key), text, row.value);
        return withStoredText(stored, text);
      });
      if (event) this.#committed(event);
      return result;
    } finally {
      if (this.#o.onTiming) this.#time('update', t0);
    }
  }

  delete(key: ObjectKey, expectedRevision?: number): KubeObject {
    const t0 = this.#o.onTiming ? performance.now() : 0;
    try {
      const { event, last } = this.#write(() => this.#deleteRow(key, this.#readForWrite(key, expectedRevision)));
      this.#committed(event);
      return last;
    } finally {
      if (this.#o.onTiming) this.#time('delete', t0);
    }
  }

  #readForWrite(key: ObjectKey, expectedRevision: number | undefined): ObjectRow {
    const row = this.#s.getRow.get(key.resource, key.namespace, key.name);
    if (!row) throw new StorageError('NotFound', `${keyString(key)} not found`);
    if (expectedRevision !== undefined && row.revision !== expectedRevision) {
      throw new StorageError('Conflict', `${keyString(key)} is at revision ${row.revision}, not ${expectedRevision}`);
    }
    return row;
  }

  /** The deleted object's last state, stamped with the deletion's revision (as its DELETED event carries it). */
  #deleteRow(key: ObjectKey, row: ObjectRow): { event: LazyEvent; last: KubeObject } {
    const rev = this.#rev + 1;
    const last = stampInPlace(JSON.parse(row.value) as KubeObject, rev);
    const text = JSON.stringify(last);
    this.#s.deleteObject.run(row.id);
    this.#s.insertLog.run(rev, TYPE_CODES.DELETED, key.resource, key.namespace, key.name, text, row.value);
    return { event: new LazyEvent('DELETED', rev, copyKey(key), text, row.value), last };
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction; any exception (including a mutate callback's) rolls
   * back and propagates unchanged. With group commit, `fn` runs in a savepoint of the turn's batch.
   */
  #write<T>(fn: () => T): T {
    this.#assertOpen();
    if (this.#inWrite) throw new Error('storage: a write was started inside another write (from an update() mutate callback?)');
    this.#inWrite = true;
    try {
      if (this.#o.groupCommit) return this.#writeInBatch(fn);
      this.#s.begin.run();
      try {
        const result = fn();
        this.#s.commit.run();
        this.#boundWal();
        return result;
      } catch (e) {
        if (this.#db.inTransaction) this.#s.rollback.run();
        throw e;
      }
    } finally {
      this.#inWrite = false;
    }
  }

  #writeInBatch<T>(fn: () => T): T {
    if (!this.#batchOpen) {
      this.#s.begin.run();
      this.#batchOpen = true;
      setImmediate(() => this.#commitBatch());
    }
    this.#s.savepoint.run();
    try {
      const result = fn();
      this.#s.release.run();
      return result;
    } catch (e) {
      this.#s.rollbackTo.run();
      this.#s.release.run();
      throw e;
    }
  }

  /** Commits the open batch, then publishes its events in revision order and releases its waiters. */
  #commitBatch(): void {
    if (!this.#batchOpen) return;
    const events = this.#batchEvents;
    const waiters = this.#batchWaiters;
    this.#batchOpen = false;
    this.#batchEvents = [];
    this.#batchWaiters = [];
    try {
      this.#s.commit.run();
    } catch (err) {
      // Nothing of the batch happened: forget its revisions and fail everyone waiting on it.
      if (this.#db.inTransaction) this.#s.rollback.run();
      this.#rev = this.#durableRev;
      for (const w of waiters) w.reject(err);
      return;
    }
    this.#durableRev = this.#rev;
    for (const e of events) this.#publish(e);
    for (const w of waiters) w.resolve();
    this.#boundWal();
  }

  /**
   * The WAL bound (ADR 0001, "A bounded WAL under sustained writes"). Called after each COMMIT, on
   * the only connection that writes and outside any transaction. While writes never pause, no
   * PASSIVE checkpoint (the worker's) can ever reset the WAL: SQLite starts it over only when a
   * write transaction begins with every frame already copied back, and by then the writer has
   * appended more. So once the WAL file has passed walMaxBytes, the writer itself runs a TRUNCATE
   * checkpoint: it copies what the worker has not copied yet and empties the file, so that its
   * size (one stat, the cheap measure) is again what has been written since. (RESTART would reuse
   * the file without shrinking it: the size would stay past the limit and every commit would
   * checkpoint.) busy_timeout is lifted to 0 for the call: if the worker's checkpoint or another
   * process's reader is in the way, it reports busy at once and the next commit tries again,
   * instead of blocking the event loop.
   */
  #boundWal(): void {
    // Without the checkpointer thread this connection's own auto-checkpoint runs inside its
    // commits and resets the WAL every walAutocheckpointPages: no stat (4-9 µs) per write then.
    if (!this.#walNeedsBound) return;
    // Nothing here may throw into the write: its COMMIT is done and durable.
    try {
      if (this.#walBytes() <= this.#o.walMaxBytes) return;
      const t0 = this.#o.onTiming ? performance.now() : 0;
      this.#db.pragma('busy_timeout = 0');
      try {
        this.#db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        this.#db.pragma(`busy_timeout = ${this.#o.busyTimeoutMs}`);
        if (this.#o.onTiming) this.#time('checkpoint', t0);
      }
    } catch (err) {
      this.#o.onMaintenanceError(err); // the next commit tries again
    }
  }

  hasPendingWrites(): boolean {
    return this.#batchOpen;
  }

  flush(): Promise<void> {
    if (!this.#batchOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.#batchWaiters.push({ resolve, reject }));
  }

  /** After a write: advance the revision; the event goes out now, or after the batch's COMMIT. */
  #committed(event: LazyEvent): void {
    this.#rev = event.revision;
    this.#lastRevOf.set(event.key.resource, event.revision);
    this.#writesSinceTick++;
    if (this.#batchOpen) this.#batchEvents.push(event);
    else {
      this.#durableRev = event.revision;
      this.#publish(event);
    }
  }

  #publish(event: LazyEvent): void {
    this.#ring.push(event);
    this.#hub.publish(event);
  }

  // ---- watch ----

  watch(resource: string, opts: WatchOptions, onEvent: (e: StorageEvent) => void): Watcher {
    this.#assertOpen();
    const from = opts.fromRevision;
    if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`fromRevision must be a non-negative integer, got ${from}`);
    if (from < this.#compacted) throw new StorageError('Expired', `revision ${from} has been compacted; the oldest retained is ${this.#compacted}`);
    // A watcher must never see an uncommitted event: commit an open batch before replaying.
    this.#commitBatch();
    const w = new HubWatcher(this.#hub, resource, opts.namespace, from, onEvent);
    replayHistory(w, this.#history);
    // Replay ran up to #rev synchronously; from here on the hub delivers. Nothing can commit in
    // between (single thread), and the watcher's position drops anything delivered twice.
    if (!w.closed) this.#hub.add(w);
    return w;
  }

  // ---- revisions, maintenance, stats ----

  currentRevision(): number {
    return this.#rev;
  }

  compactedRevision(): number {
    return this.#compacted;
  }

  /** Compacts the log to the last `retainRevisions` revisions, in batches that yield to the event loop. Resolves to the compacted revision. */
  compact(): Promise<number> {
    return this.#maintenance.compact();
  }

  /** Returns pages freed by compaction to the filesystem, in small steps (the maintenance timer does this too). */
  vacuum(): Promise<void> {
    return this.#maintenance.vacuum();
  }

  /** Deletes log rows up to min(target, compacted + batch) in one transaction. Used by Maintenance. */
  compactStep(target: number, batch: number): number {
    const upTo = Math.min(target, this.#compacted + batch, this.#rev);
    if (upTo <= this.#compacted) return this.#compacted;
    const t0 = this.#o.onTiming ? performance.now() : 0;
    this.#write(() => {
      this.#s.compactBatch.run(upTo);
      this.#s.setMeta.run(META_COMPACTED, upTo);
    });
    this.#compacted = upTo;
    if (this.#o.onTiming) this.#time('compact', t0);
    return upTo;
  }

  /**
   * Checkpoints the WAL into the database and truncates it. Never waits for another process's
   * readers (busy_timeout is lifted to 0 for the call): if one is in the way, it reports busy and
   * the next maintenance pass tries again.
   */
  checkpoint(): { busy: boolean; walBytes: number } {
    this.#assertOpen();
    // Not inside a write, nor while a group-commit batch is open (a checkpoint cannot run in a transaction).
    if (this.#inWrite || this.#batchOpen) return { busy: true, walBytes: this.#walBytes() };
    const t0 = this.#o.onTiming ? performance.now() : 0;
    this.#db.pragma('busy_timeout = 0');
    try {
      const [r] = this.#db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return { busy: r.busy !== 0, walBytes: this.#walBytes() };
    } finally {
      this.#db.pragma(`busy_timeout = ${this.#o.busyTimeoutMs}`);
      if (this.#o.onTiming) this.#time('checkpoint', t0);
    }
  }

  /** Pages on SQLite's freelist (freed by compaction, not yet returned to the filesystem). */
  freePages(): number {
    return this.#db.pragma('freelist_count', { simple: true }) as number;
  }

  /** Returns up to `pages` free pages to the filesystem (incremental vacuum, one short transaction). */
  vacuumStep(pages: number): number {
    this.#assertOpen();
    if (this.#inWrite || this.#batchOpen) return this.freePages();
    this.#db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(pages))})`);
    return this.freePages();
  }

  /** Used by Maintenance: writes since the previous call (and resets the count). */
  takeWriteCount(): number {
    const n = this.#writesSinceTick;
    this.#writesSinceTick = 0;
    return n;
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): StorageStats {
    this.#assertOpen();
    let dbBytes = 0;
    try {
      dbBytes = statSync(this.path).size;
    } catch {
      // Reported as 0.
    }
    return {
      dbBytes,
      walBytes: this.#walBytes(),
      revision: this.#rev,
      compactedRevision: this.#compacted,
      watchers: this.#hub.size,
      ringEvents: this.#ring.length,
      ringOldestRevision: this.#ring.oldestRevision,
      openedAt: this.#openedAt,
    };
  }

  /** Once per commit (#boundWal): a stat without an exception when the file is absent, 4-9 µs. */
  #walBytes(): number {
    return statSync(this.#walPath, { throwIfNoEntry: false })?.size ?? 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#commitBatch();
    this.#closed = true;
    this.#maintenance.stop();
    this.#checkpointer?.stop();
    this.#hub.closeAll();
    try {
      this.#db.pragma('optimize');
      this.#db.close();
    } finally {
      this.#releaseLock();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('storage is closed');
  }

  #time(op: StorageOp, t0: number): void {
    try {
      this.#o.onTiming!(op, performance.now() - t0);
    } catch {
      // A metrics hook must not fail a storage operation.
    }
  }
}
