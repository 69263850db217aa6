// The WAL stays bounded while writes never pause (ADR 0001, "A bounded WAL under sustained
// writes"): the API server's configuration (group commit, PASSIVE checkpoints in a worker
// thread), a real database file, and a writer that commits a batch every turn of the event loop
// without ever leaving the database idle.
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

test(`${WAL_MAX_BYTES_ENV} sets the bound, "off" removes it, anything else is refused`, () => {
  expect(walMaxBytesFromEnv({})).toBeUndefined();
  expect(walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: '' })).toBeUndefined();
  expect(walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: '33554432' })).toBe(32 * MiB);
  expect(walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: 'off' })).toBe(Infinity);
  for (const bad of ['0', '-1', '64MiB', '1e9', ' 5', 'OFF', '99999999999999999']) {
    expect(() => walMaxBytesFromEnv({ [WAL_MAX_BYTES_ENV]: bad })).toThrow(`${WAL_MAX_BYTES_ENV}=${JSON.stringify(bad)}: expected a positive number of bytes or "off"`);
  }
});
