// Tunables of the SQLite storage, with the defaults the ADR (docs/adr/0001) argues for.
import type { WatchErrorHandler } from '../watch/hub.ts';
import type { SynchronousMode } from './schema.ts';

export type StorageOp = 'get' | 'list' | 'create' | 'update' | 'delete' | 'compact' | 'checkpoint';

export interface SqliteStorageOptions {
  /** NORMAL (default): an acknowledged write survives a process crash, not an OS crash. FULL: fsync per commit. */
  synchronous?: SynchronousMode;
  /** Default 5000. Only another process (backup, sqlite3 CLI) can hold a lock we wait for. */
  busyTimeoutMs?: number;
  /** Revisions of history kept for watches; default 10,000. */
  retainRevisions?: number;
  /** Period of the compaction + checkpoint pass; default 5000 ms; 0 disables the timer (call compact()/checkpoint()). */
  maintenanceIntervalMs?: number;
  /** Log rows deleted per transaction by compaction; default 500 (a few ms; each row holds up to two copies of an object). */
  compactBatchSize?: number;
  /** Recent events kept in memory for resuming watches; default 4096 events and 32 MiB. */
  ringSize?: number;
  ringMaxBytes?: number;
  /** WAL pages after which a commit checkpoints (SQLite default 1000); default 4000 = 16 MiB, see the ADR. */
  walAutocheckpointPages?: number;
  /**
   * The WAL's bound; default 64 MiB. With checkpointInWorker (or auto-checkpoints off), a commit
   * that leaves the WAL larger runs a TRUNCATE checkpoint on the writer's connection; the
   * maintenance pass truncates it too. Infinity turns the writer's checkpoint off (benchmarks
   * measure the bound's cost against that). Without the worker, SQLite's auto-checkpoint inside
   * the commits already keeps the WAL near walAutocheckpointPages.
   */
  walMaxBytes?: number;
  /**
   * Group commit: writes of one event-loop turn share one transaction, committed on setImmediate.
   * create/update/delete still return at once (later reads see them), but a write is durable, and
   * its watch event published, only once `flush()` resolves: callers must not acknowledge a write
   * before that. Default false (every write commits before it returns).
   */
  groupCommit?: boolean;
  /**
   * Run WAL checkpoints in a worker thread (PASSIVE, every 100 ms) instead of inside the COMMIT
   * that crosses the WAL threshold; keeps the write latency tail short. Default false.
   */
  checkpointInWorker?: boolean;
  /** Called with each operation's duration in ms (successful or not). */
  onTiming?: (op: StorageOp, ms: number) => void;
  /** A watcher callback threw; the watcher has been closed. Default: console.error. */
  onWatchError?: WatchErrorHandler;
  /** Background compaction or checkpoint failed (it is retried next period). Default: console.warn. */
  onMaintenanceError?: (err: unknown) => void;
}

export type ResolvedOptions = Required<Omit<SqliteStorageOptions, 'onTiming'>> & Pick<SqliteStorageOptions, 'onTiming'>;

export function resolveOptions(o: SqliteStorageOptions = {}): ResolvedOptions {
  const r: ResolvedOptions = {
    synchronous: o.synchronous ?? 'NORMAL',
    busyTimeoutMs: o.busyTimeoutMs ?? 5000,
    retainRevisions: o.retainRevisions ?? 10_000,
    maintenanceIntervalMs: o.maintenanceIntervalMs ?? 5000,
    compactBatchSize: o.compactBatchSize ?? 500,
    ringSize: o.ringSize ?? 4096,
    ringMaxBytes: o.ringMaxBytes ?? 32 * 1024 * 1024,
    walMaxBytes: o.walMaxBytes ?? 64 * 1024 * 1024,
    walAutocheckpointPages: o.walAutocheckpointPages ?? 4000,
    groupCommit: o.groupCommit ?? false,
    checkpointInWorker: o.checkpointInWorker ?? false,
    onTiming: o.onTiming,
    onWatchError: o.onWatchError ?? ((err, resource) => console.error(`storage: watcher of ${resource} threw; closed it:`, err)),
    onMaintenanceError: o.onMaintenanceError ?? ((err) => console.warn('storage: maintenance failed (will retry):', err)),
  };
  if (r.synchronous !== 'NORMAL' && r.synchronous !== 'FULL') throw new RangeError(`synchronous must be NORMAL or FULL`);
  if (!(r.retainRevisions >= 1)) throw new RangeError('retainRevisions must be >= 1');
  if (!(r.compactBatchSize >= 1)) throw new RangeError('compactBatchSize must be >= 1');
  if (!(r.walMaxBytes > 0)) throw new RangeError('walMaxBytes must be > 0');
  return r;
}

/** The environment variable that sets walMaxBytes of the API server's store (bytes, or "off"). */
export const WAL_MAX_BYTES_ENV = 'SKIFF_SQLITE_WAL_MAX_BYTES';

/**
 * walMaxBytes from the environment: a positive integer of bytes, or "off" (Infinity: no writer
 * checkpoint, which benchmarks use as the baseline); unset means the default. Anything else is
 * refused, naming the variable, rather than silently ignored.
 */
export function walMaxBytesFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const v = env[WAL_MAX_BYTES_ENV];
  if (v === undefined || v === '') return undefined;
  if (v === 'off') return Infinity;
  if (!/^[1-9][0-9]{0,15}$/.test(v)) throw new RangeError(`${WAL_MAX_BYTES_ENV}=${JSON.stringify(v)}: expected a positive number of bytes or "off"`);
  return Number(v);
}
