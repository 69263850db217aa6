// The namespace view's live lookup: a namespace the watch-fed view has not seen yet (on etcd the
// view trails the write) is read from storage, so a create into it is not refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../storage/index.ts';
import type { Storage } from '../storage/types.ts';
import { NamespaceController } from './namespaces.ts';

let dir: string;
let storage: Storage;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-ns-'));
  storage = openStorage({ dataDir: dir });
});
afterEach(() => {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const ns = (name: string, extra: { deletionTimestamp?: string } = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...extra }, status: { phase: 'Active' } });

test('a namespace the view has not seen is looked up in storage; a missing one stays missing', async () => {
  // Not started: the view is empty, as it is between a write on etcd and its watch event.
  const view = new NamespaceController(storage, () => {});
  await storage.create({ resource: 'namespaces', namespace: '', name: 'fresh' }, ns('fresh'));
  await storage.create({ resource: 'namespaces', namespace: '', name: 'going' }, ns('going', { deletionTimestamp: '2026-12-06T00:00:00Z' }));
  expect(view.phase('fresh')).toBeUndefined();
  expect(await view.lookup('fresh')).toBe('Active');
  expect(await view.lookup('going')).toBe('Terminating');
  expect(await view.lookup('never-made')).toBeUndefined();
});
