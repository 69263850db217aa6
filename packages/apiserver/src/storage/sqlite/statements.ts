// Every SQL statement the storage runs, prepared once at open and reused.
import type { Database, Statement } from 'better-sqlite3';

export interface ObjectRow {
  id: number;
  revision: number;
  value: string;
}

/** [revision, type, resource, namespace, name, value, prev] */
export type LogRow = [number, number, string, string, string, string, string | null];

/** [namespace, name, value] */
export type ListRow = [string, string, string];

export interface Statements {
  begin: Statement;
  commit: Statement;
  rollback: Statement;
  savepoint: Statement;
  release: Statement;
  rollbackTo: Statement;

  getValue: Statement<[string, string, string], string>;
  getRow: Statement<[string, string, string], ObjectRow>;
  insertObject: Statement<[string, string, string, number, string]>;
  updateObject: Statement<[number, string, number]>;
  deleteObject: Statement<[number]>;
  insertLog: Statement<[number, number, string, string, string, string, string | null]>;

  /** Paging: all namespaces from the start / after (namespace, name); one namespace from the start / after name. LIMIT -1 = no limit. */
  listAll: Statement<[string, number], ListRow>;
  listAllAfter: Statement<[string, string, string, number], ListRow>;
  listNs: Statement<[string, string, number], ListRow>;
  listNsAfter: Statement<[string, string, string, number], ListRow>;
  countAllAfter: Statement<[string, string, string], number>;
  countNsAfter: Statement<[string, string, string], number>;

  /** History for a watch: rows of one resource after a revision, oldest first. */
  logAfter: Statement<[string, number, number], LogRow>;
  logAfterNs: Statement<[string, number, string, number], LogRow>;
  logTail: Statement<[number], LogRow>;
  maxLogRevision: Statement<[], number | null>;
  lastRevisionPerResource: Statement<[], [string, number]>;

  getMeta: Statement<[string], number>;
  setMeta: Statement<[string, number]>;
  compactBatch: Statement<[number]>;
}

export function prepareStatements(db: Database): Statements {
  const logCols = 'revision, type, resource, namespace, name, value, prev';
  return {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT write'),
    release: db.prepare('RELEASE write'),
    rollbackTo: db.prepare('ROLLBACK TO write'),

    getValue: db.prepare<[string, string, string], string>('SELECT value FROM objects WHERE resource = ? AND namespace = ? AND name = ?').pluck(),
    getRow: db.prepare<[string, string, string], ObjectRow>('SELECT id, revision, value FROM objects WHERE resource = ? AND namespace = ? AND name = ?'),
    insertObject: db.prepare('INSERT INTO objects (resource, namespace, name, revision, value) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    updateObject: db.prepare('UPDATE objects SET revision = ?, value = ? WHERE id = ?'),
    deleteObject: db.prepare('DELETE FROM objects WHERE id = ?'),
    insertLog: db.prepare(`INSERT INTO log (${logCols}) VALUES (?, ?, ?, ?, ?, ?, ?)`),

    listAll: db.prepare<[string, number], ListRow>('SELECT namespace, name, value FROM objects WHERE resource = ? ORDER BY namespace, name LIMIT ?').raw(true),
    listAllAfter: db
      .prepare<[string, string, string, number], ListRow>('SELECT namespace, name, value FROM objects WHERE resource = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name LIMIT ?')
      .raw(true),
    listNs: db.prepare<[string, string, number], ListRow>('SELECT namespace, name, value FROM objects WHERE resource = ? AND namespace = ? ORDER BY name LIMIT ?').raw(true),
    listNsAfter: db
      .prepare<[string, string, string, number], ListRow>('SELECT namespace, name, value FROM objects WHERE resource = ? AND namespace = ? AND name > ? ORDER BY name LIMIT ?')
      .raw(true),
    countAllAfter: db.prepare<[string, string, string], number>('SELECT count(*) FROM objects WHERE resource = ? AND (namespace, name) > (?, ?)').pluck(),
    countNsAfter: db.prepare<[string, string, string], number>('SELECT count(*) FROM objects WHERE resource = ? AND namespace = ? AND name > ?').pluck(),

    logAfter: db.prepare<[string, number, number], LogRow>(`SELECT ${logCols} FROM log WHERE resource = ? AND revision > ? ORDER BY revision LIMIT ?`).raw(true),
    logAfterNs: db
      .prepare<[string, number, string, number], LogRow>(`SELECT ${logCols} FROM log WHERE resource = ? AND revision > ? AND namespace = ? ORDER BY revision LIMIT ?`)
      .raw(true),
    logTail: db.prepare<[number], LogRow>(`SELECT ${logCols} FROM log ORDER BY revision DESC LIMIT ?`).raw(true),
    maxLogRevision: db.prepare<[], number | null>('SELECT max(revision) FROM log').pluck(),
    lastRevisionPerResource: db.prepare<[], [string, number]>('SELECT resource, max(revision) FROM log GROUP BY resource').raw(true),

    getMeta: db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    compactBatch: db.prepare('DELETE FROM log WHERE revision <= ?'),
  };
}
