import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureDiskUsage } from './disk-usage.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-du-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const all = { stopAbove: Infinity, maxEntries: Infinity };

test('counts allocated blocks of every file and directory, a hard-linked file once', async () => {
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'a'), Buffer.alloc(256 * 1024, 1));
  const before = await measureDiskUsage(dir, all);
  expect(before.bytes).toBeGreaterThanOrEqual(256 * 1024);
  expect(before).toMatchObject({ entries: 3, partial: false });
  linkSync(join(dir, 'sub', 'a'), join(dir, 'b'));
  const after = await measureDiskUsage(dir, all);
  expect(after.entries).toBe(4);
  expect(after.bytes).toBe(before.bytes);
  // A sparse file uses (almost) no blocks, as du counts it.
  writeFileSync(join(dir, 'sparse'), '');
  const { truncateSync } = await import('node:fs');
  truncateSync(join(dir, 'sparse'), 64 << 20);
  expect((await measureDiskUsage(dir, all)).bytes).toBeLessThan(before.bytes + (1 << 20));
});

test('stops once past stopAbove, or after maxEntries, and says so', async () => {
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(64 * 1024, 1));
  const past = await measureDiskUsage(dir, { stopAbove: 100 * 1024, maxEntries: Infinity });
  expect(past.partial).toBe(true);
  expect(past.bytes).toBeGreaterThan(100 * 1024);
  expect(past.entries).toBeLessThan(21);
  const few = await measureDiskUsage(dir, { stopAbove: Infinity, maxEntries: 5 });
  expect(few).toMatchObject({ entries: 5, partial: true });
  expect(await measureDiskUsage(join(dir, 'missing'), all)).toEqual({ bytes: 0, entries: 0, partial: false });
});
