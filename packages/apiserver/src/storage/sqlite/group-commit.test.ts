// Group commit: the writes of one event-loop turn share a transaction; their events go out, and
// flush() resolves, only after it commits.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openIn, tempDir } from './test-helpers.ts';
import { until } from '../../testing/until.ts';
import type { StorageEvent } from '../types.ts';

const key = (name: string) => ({ resource: 'pods', namespace: 'default', name });
const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: {} });

test('writes of one turn commit together; events follow the commit, in revision order', async () => {
  const t = tempDir();
  const s = openIn(t.dir, { groupCommit: true });
  try {
    const seen: StorageEvent[] = [];
    s.watch('pods', { fromRevision: s.currentRevision() }, (e) => seen.push(e));
    const a = s.create(key('a'), pod('a'));
    const b = s.create(key('b'), pod('b'));
    s.update(key('a'), (o) => ({ ...o, spec: { x: 1 } }));
    // Visible to reads at once, but not yet published nor durable.
    expect(s.get(key('b'))?.metadata.resourceVersion).toBe(b.metadata.resourceVersion);
    expect(s.hasPendingWrites()).toBe(true);
    expect(seen).toEqual([]);
    await s.flush();
    expect(s.hasPendingWrites()).toBe(false);
    expect(seen.map((e) => [e.type, e.key.name, e.revision])).toEqual([
      ['ADDED', 'a', Number(a.metadata.resourceVersion)],
      ['ADDED', 'b', Number(b.metadata.resourceVersion)],
      ['MODIFIED', 'a', Number(b.metadata.resourceVersion) + 1],
    ]);
  } finally {
    s.close();
    t.cleanup();
  }
});

test('a failed write rolls back alone; the rest of the batch commits', async () => {
  const t = tempDir();
  const s = openIn(t.dir, { groupCommit: true });
  try {
    s.create(key('x'), pod('x'));
    expect(() => s.create(key('x'), pod('x'))).toThrow(/already exists/);
    expect(() => s.update(key('x'), () => { throw new Error('refused'); })).toThrow('refused');
    s.create(key('y'), pod('y'));
    await s.flush();
    s.close();
    const again = openIn(t.dir);
    expect(again.list('pods').items.map((o) => o.metadata.name)).toEqual(['x', 'y']);
    expect(again.currentRevision()).toBe(2);
    again.close();
  } finally {
    t.cleanup();
  }
});

test('a watch opened while a batch is open commits it first and misses nothing', async () => {
  const t = tempDir();
  const s = openIn(t.dir, { groupCommit: true });
  try {
    const start = s.currentRevision();
    s.create(key('early'), pod('early'));
    const seen: string[] = [];
    s.watch('pods', { fromRevision: start }, (e) => seen.push(e.key.name));
    expect(s.hasPendingWrites()).toBe(false);
    expect(seen).toEqual(['early']);
    s.create(key('late'), pod('late'));
    await s.flush();
    expect(seen).toEqual(['early', 'late']);
  } finally {
    s.close();
    t.cleanup();
  }
});

test('with checkpoints in a worker thread, the WAL is copied into the database while writes go on', async () => {
  const t = tempDir();
  const s = openIn(t.dir, { groupCommit: true, checkpointInWorker: true, maintenanceIntervalMs: 0 });
  try {
    const dbBytes = () => statSync(join(t.dir, 'skiff.db')).size;
    const before = dbBytes();
    const pad = 'x'.repeat(2000);
    for (let batch = 0; batch < 50; batch++) {
      for (let i = 0; i < 20; i++) s.create(key(`p-${batch}-${i}`), { ...pod(`p-${batch}-${i}`), spec: { pad } });
      await s.flush();
    }
    // The main connection never checkpoints (auto-checkpoint 0, maintenance off): only the
    // worker's checkpoints move the ~4 MB written into the database file, while it stays open.
    await until('the worker checkpointed ~3 MB into the database file', () => dbBytes() > before + 3 * 1024 * 1024, 20_000);
    s.close();
    const again = openIn(t.dir);
    expect(again.list('pods').items.length).toBe(1000);
    again.close();
  } finally {
    t.cleanup();
  }
});

test('without the worker and without auto-checkpoints nothing reaches the database file until close', async () => {
  // The control for the test above: the same writes leave the database file as it was.
  const t = tempDir();
  const s = openIn(t.dir, { groupCommit: true, maintenanceIntervalMs: 0, walAutocheckpointPages: 0 });
  try {
    const dbBytes = () => statSync(join(t.dir, 'skiff.db')).size;
    const before = dbBytes();
    const pad = 'x'.repeat(2000);
    for (let batch = 0; batch < 50; batch++) {
      for (let i = 0; i < 20; i++) s.create(key(`p-${batch}-${i}`), { ...pod(`p-${batch}-${i}`), spec: { pad } });
      await s.flush();
    }
    // Nothing must happen here (no checkpoint), so there is no event to await: give a checkpoint
    // that would come the time the worker needs above, then look.
    await new Promise((r) => setTimeout(r, 300));
    expect(dbBytes()).toBeLessThan(before + 1024 * 1024);
  } finally {
    s.close();
    t.cleanup();
  }
});
