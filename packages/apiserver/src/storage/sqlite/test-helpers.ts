// Shared by the storage tests: temp data dirs and small object builders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@skiff/api';
import type { ObjectKey } from '../types.ts';
import { SqliteStorage } from './storage.ts';
import type { SqliteStorageOptions } from './options.ts';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-storage-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens a storage in `dir` with the maintenance timer off (tests drive compaction explicitly). */
export function openIn(dir: string, o: SqliteStorageOptions = {}): SqliteStorage {
  return SqliteStorage.open(join(dir, 'skiff.db'), { maintenanceIntervalMs: 0, ...o });
}

export function podKey(name: string, namespace = 'default'): ObjectKey {
  return { resource: 'pods', namespace, name };
}

export function pod(name: string, namespace = 'default', extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, ...extra };
}
