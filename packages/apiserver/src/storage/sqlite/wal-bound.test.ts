// The WAL stays bounded while writes never pause (ADR 0001, "A bounded WAL under sustained
// writes"): the API server's configuration (group commit, PASSIVE checkpoints in a worker
// thread), a real database file, and a writer that commits a batch every turn of the event loop
// without ever leaving the database idle.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { walMaxBytesFromEnv, WAL_MAX_BYTES_ENV } from './options.ts';
import { openIn, pod, podKey, tempDir } from './test-helpers.ts';

const MiB = 1024 * 1024;
const LIMIT = 4 * MiB;
/** ~1 KiB of labels: the pod's size in the API server's benchmarks. */
const labels = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`label-${i}`, 'v'.repeat(48)]));

test('under sustained creates the WAL is reset near walMaxBytes instead of growing with the writes', async () => {
  const t = tempDir();
  const checkpoints: number[] = [];
  const s = openIn(t.dir, { groupCommit: true, checkpointInWorker: true, walMaxBytes: LIMIT, onTiming: (op, ms) => op === 'checkpoint' && checkpoints.push(ms) });
  try {
    let maxWal = 0;
    let written = 0;
    // 400 turns of 40 creates: without the bound (walMaxBytes: Infinity) this same loop took the
    // WAL to 59 MiB, 15 times the limit (each commit rewrites its B-tree pages whole).
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 40; i++) {
        const name = `p${turn}-${i}`;
        s.create(podKey(name), pod(name, 'default', { metadata: { name, namespace: 'default', labels } }));
      }
      await s.flush();
      written += 40;
      maxWal = Math.max(maxWal, s.stats().walBytes);
    }
    expect(written).toBe(16_000);
    expect(s.currentRevision()).toBe(16_000);
    // The writer reset the WAL several times, and it never went far past the limit: only by what
    // was committed while the worker's own checkpoint held the lock (the writer then retries at
    // its next commit); 4.0-5.3 MiB measured.
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    expect(maxWal).toBeLessThan(3 * LIMIT);
  } finally {
    s.close();
    t.cleanup();
  }
});

test("a second connection's read transaction (a backup tool) pinning the WAL holds the bound off without blocking or failing a write; once it goes, the next commits bring the WAL back under it", async () => {
  const t = tempDir();
  const errors: unknown[] = [];
  const s = openIn(t.dir, { groupCommit: true, checkpointInWorker: true, walMaxBytes: 1 * MiB, onMaintenanceError: (e) => errors.push(e) });
  const reader = new Database(join(t.dir, 'skiff.db'), { readonly: true });
  try {
    const write = async (from: number, n: number) => {
      for (let turn = 0; turn < n; turn++) {
        for (let i = 0; i < 40; i++) s.create(podKey(`p${from + turn}-${i}`), pod(`p${from + turn}-${i}`, 'default', { metadata: { name: `p${from + turn}-${i}`, namespace: 'default', labels } }));
        await s.flush();
      }
    };
    await write(0, 5);
    const it = reader.prepare('SELECT value FROM objects').iterate();
    it.next(); // a backup tool's read transaction: its snapshot pins the WAL
    const t0 = performance.now();
    await write(5, 100);
    const pinnedMs = performance.now() - t0;
    // No reset can happen past the reader: the WAL grew well past the bound, and every write
    // succeeded (each commit's attempt reported busy at once instead of waiting for the reader).
    expect(s.stats().walBytes).toBeGreaterThan(3 * MiB);
    expect(s.currentRevision()).toBe(105 * 40);
    // Had each commit waited for the reader (busy_timeout, 5 s), 100 commits would take 500 s.
    expect(pinnedMs).toBeLessThan(60_000);
    it.return?.();
    // The reader is gone: a commit's checkpoint gets through as soon as the worker's own is not
    // in the way (it may be, for a while: the WAL is large now). Writes go on until then, at
    // most 500 more turns.
    let turns = 0;
    while (s.stats().walBytes > 1 * MiB && turns < 500) await write(1000 + turns++, 1);
    expect(s.stats().walBytes).toBeLessThanOrEqual(1 * MiB);
    expect(turns).toBeLessThan(500);
    expect(errors).toEqual([]);
  } finally {
    reader.close();
    s.close();
    t.cleanup();
  }
});

test(`${WAL_MAX_BYTES_ENV} sets the bound, "off" removes it, anything else is refused`, () => {
  expect(walMaxBytesFromEnv({})).toBeUndefined();
  expect(walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: '' })).toBeUndefined();
  expect(walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: '33554432' })).toBe(32 * MiB);
  expect(walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: 'off' })).toBe(Infinity);
  for (const bad of ['0', '-1', '64MiB', '1e9', ' 5', 'OFF', '99999999999999999']) {
    expect(() => walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: bad })).toThrow(`${WAL_MAX_BYTES_ENV}=${JSON.stringify(bad)}: expected a positive number of bytes or "off"`);
  }
});
