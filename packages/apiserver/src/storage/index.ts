// Entry point of the storage layer: the interface, and the SQLite implementation behind a factory.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStorage } from './sqlite/storage.ts';
import type { SqliteStorageOptions } from './sqlite/options.ts';

export * from './types.ts';
export { SqliteStorage } from './sqlite/storage.ts';
export type { SqliteStorageOptions, StorageOp } from './sqlite/options.ts';
export { walMaxBytesFromEnv, WAL_MAX_BYTES_ENV } from './sqlite/options.ts';

/** File name of the database inside the data dir (plus -wal, -shm and .lock beside it). */
export const DB_FILE = 'skiff.db';

/** Opens (creating if needed) the storage in `dataDir`. */
export function openStorage(opts: { dataDir: string } & SqliteStorageOptions): SqliteStorage {
  const { dataDir, ...options } = opts;
  mkdirSync(dataDir, { recursive: true });
  return SqliteStorage.open(join(dataDir, DB_FILE), options);
}
