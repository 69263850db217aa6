// Connection settings and schema. Run once per open; nothing here runs per request.
import type { Database } from 'better-sqlite3';

export type SynchronousMode = 'NORMAL' | 'FULL';

export interface PragmaOptions {
  synchronous: SynchronousMode;
  /** How long a write waits for a lock held by another connection (a backup tool, sqlite3 CLI). */
  busyTimeoutMs: number;
  /** WAL pages before SQLite checkpoints on commit (SQLite's default is 1000 pages = 4 MiB). */
  walAutocheckpointPages: number;
  /** After a checkpoint resets the WAL, truncate the file down to this size. */
  journalSizeLimitBytes: number;
}

export const SCHEMA_VERSION = 1;

// objects: the current state, one row per key. A rowid table with a unique index, not WITHOUT
// ROWID: values are ~1 KiB JSON documents, and measured on this machine the rowid layout was
// 2x faster to insert and 3-5x faster to read than putting the whole row in the key's B-tree.
//
// log: one row per revision (revision = rowid, so compaction is a range delete on the primary
// key). The value is duplicated from `objects` so compaction never has to ask "is this row still
// somebody's current state?" — that question is what makes kine's compaction slow. No secondary
// index on (resource, revision): it cost one more dirty page per commit (~20% of the create rate,
// measured), and the log is only read when a watch resumes from before the in-memory ring, where
// a scan of the bounded log is acceptable (and skipped when the resource has not changed).
const DDL = `
CREATE TABLE IF NOT EXISTS objects (
  id INTEGER PRIMARY KEY,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_key ON objects (resource, namespace, name);

CREATE TABLE IF NOT EXISTS log (
  revision INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  resource TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  prev TEXT
);

CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export function applyPragmas(db: Database, o: PragmaOptions): void {
  // Compaction frees log pages; with incremental auto-vacuum the maintenance pass can hand them
  // back to the filesystem in small steps, so a burst of writes does not leave the file at its
  // high-water mark forever. Only possible on a brand-new file, before WAL mode writes the header.
  if (db.pragma('page_count', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new Error(`cannot enable WAL mode (journal_mode=${String(mode)})`);
  db.pragma(`synchronous = ${o.synchronous}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(o.busyTimeoutMs))}`);
  db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(o.walAutocheckpointPages))}`);
  db.pragma(`journal_size_limit = ${Math.max(0, Math.floor(o.journalSizeLimitBytes))}`);
  // 32 MiB page cache: 10k pods are ~12 MiB of JSON; lists should not go to the OS for pages.
  db.pragma('cache_size = -32768');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = OFF');
}

export function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw new Error(`database schema version ${version} is newer than this build (${SCHEMA_VERSION})`);
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export const META_COMPACTED = 'compacted_revision';
