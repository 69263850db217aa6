import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openIn, pod, podKey, tempDir } from './test-helpers.ts';
import { until } from '../../testing/until.ts';

const logRows = (dir: string) => {
  const db = new Database(join(dir, 'skiff.db'), { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS n, min(revision) AS lo, max(revision) AS hi FROM log').get() as { n: number; lo: number; hi: number };
  } finally {
    db.close();
  }
};

describe('compaction and WAL', () => {
  test('keeps the log to the last retainRevisions revisions, in batches that yield', async () => {
    const t = tempDir();
    const s = openIn(t.dir, { retainRevisions: 100, compactBatchSize: 50 });
    try {
      for (let i = 0; i < 1000; i++) s.create(podKey(`p${i}`), pod(`p${i}`));
      for (let i = 0; i < 500; i++) s.update(podKey(`p${i}`), (c) => ({ ...c, spec: { i } }));
      let turns = 0;
      const ticker = setInterval(() => turns++, 0);
      const compacted = await s.compact();
      clearInterval(ticker);
      expect(compacted).toBe(1400);
      expect(s.compactedRevision()).toBe(1400);
      // 1400 / 50 = 28 batches, with the event loop running between them.
      expect(turns).toBeGreaterThan(0);
      expect(logRows(t.dir)).toEqual({ n: 100, lo: 1401, hi: 1500 });
      // Objects are untouched by compaction.
      expect(s.list('pods').items).toHaveLength(1000);
      // A second run with nothing to do finishes immediately.
      expect(await s.compact()).toBe(1400);
    } finally {
      s.close();
      t.cleanup();
    }
  });

  test('pages freed by compaction go back to the filesystem (incremental vacuum)', async () => {
    const t = tempDir();
    const s = openIn(t.dir, { retainRevisions: 100 });
    try {
      for (let i = 0; i < 3000; i++) s.create(podKey(`p${i % 100}`, `ns${i}`), pod('p', 'ns', { spec: { pad: 'x'.repeat(2000) } }));
      s.checkpoint();
      const before = s.stats().dbBytes;
      await s.compact();
      expect(s.freePages()).toBeGreaterThan(1024);
      await s.vacuum();
      s.checkpoint();
      expect(s.freePages()).toBeLessThanOrEqual(1024);
      expect(s.stats().dbBytes).toBeLessThan(before * 0.9);
    } finally {
      s.close();
      t.cleanup();
    }
  });

  test('writes during a compaction run do not keep it from finishing', async () => {
    const t = tempDir();
    const s = openIn(t.dir, { retainRevisions: 10, compactBatchSize: 5 });
    try {
      for (let i = 0; i < 200; i++) s.create(podKey(`p${i}`), pod(`p${i}`));
      let writing = true;
      const writer = (async () => {
        let i = 0;
        while (writing) {
          s.create(podKey(`w${i++}`), pod('w'));
          await new Promise((r) => setImmediate(r));
        }
      })();
      const target = s.currentRevision() - 10;
      const compacted = await s.compact();
      writing = false;
      await writer;
      // The run targets the revision seen when it started, and terminates.
      expect(compacted).toBe(target);
      expect(s.currentRevision()).toBeGreaterThan(200);
    } finally {
      s.close();
      t.cleanup();
    }
  });

  test('the maintenance timer compacts and truncates the WAL when idle', async () => {
    const t = tempDir();
    const s = openIn(t.dir, { retainRevisions: 10, maintenanceIntervalMs: 20 });
    try {
      for (let i = 0; i < 300; i++) s.create(podKey(`p${i}`), pod(`p${i}`));
      expect(s.stats().walBytes).toBeGreaterThan(0);
      await until('the timer compacted and truncated the WAL', () => s.stats().walBytes === 0 && s.compactedRevision() >= 290, 5000);
      expect(s.compactedRevision()).toBe(290);
      expect(s.stats().walBytes).toBe(0);
    } finally {
      s.close();
      t.cleanup();
    }
  });

  test('the WAL stays bounded under sustained writes (20k writes, no idle moment)', () => {
    const t = tempDir();
    const s = openIn(t.dir);
    try {
      let maxWal = 0;
      for (let i = 0; i < 20_000; i++) {
        if (i % 2 === 0) s.create(podKey(`p${i}`), pod(`p${i}`, 'default', { spec: { pad: 'x'.repeat(800) } }));
        else s.update(podKey(`p${i - 1}`), (c) => ({ ...c, status: { i } }));
        if (i % 500 === 0) maxWal = Math.max(maxWal, s.stats().walBytes);
      }
      maxWal = Math.max(maxWal, s.stats().walBytes);
      // wal_autocheckpoint (4000 pages = 16 MiB), and journal_size_limit (24 MiB) as the hard cap.
      expect(maxWal).toBeLessThanOrEqual(24 * 1024 * 1024);
      expect(maxWal).toBeGreaterThan(0);
    } finally {
      s.close();
      t.cleanup();
    }
  });

  test('a second reader (backup tool) holding a read transaction does not cause "database is locked"', () => {
    const t = tempDir();
    const s = openIn(t.dir);
    try {
      s.create(podKey('a'), pod('a'));
      const reader = new Database(join(t.dir, 'skiff.db'), { readonly: true });
      reader.pragma('busy_timeout = 1000');
      const it = reader.prepare('SELECT value FROM objects').iterate();
      it.next(); // holds a read snapshot open
      for (let i = 0; i < 2000; i++) s.create(podKey(`p${i}`), pod(`p${i}`));
      // The checkpoint cannot truncate past the reader: it reports busy instead of blocking.
      expect(s.checkpoint().busy).toBe(true);
      it.return?.();
      expect(reader.prepare('SELECT count(*) FROM objects').pluck().get()).toBe(2001);
      reader.close();
      expect(s.checkpoint()).toEqual({ busy: false, walBytes: 0 });
    } finally {
      s.close();
      t.cleanup();
    }
  });
});
