import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { validatePayloadPath, writeAtomically } from './atomic-writer.ts';
import type { Payload } from './projection.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const payload = (files: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(files).map(([k, v]) => [k, { data: Buffer.from(v), mode }]));

test('files appear through ..data links, with their modes, in a timestamped directory', () => {
  expect(writeAtomically(dir, payload({ a: 'one', 'sub/b': 'two' }, 0o640), { now: new Date('2026-12-05T17:50:00Z') })).toBe(true);
  const ts = readlinkSync(join(dir, '..data'));
  expect(ts).toMatch(/^\.\.2026_12_05_17_50_00\./);
  expect(readlinkSync(join(dir, 'a'))).toBe('..data/a');
  expect(readlinkSync(join(dir, 'sub'))).toBe('..data/sub');
  expect(readFileSync(join(dir, 'sub/b'), 'utf8')).toBe('two');
  expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o640);
  expect(readdirSync(dir).sort()).toEqual(['..data', ts, 'a', 'sub'].sort());
});

test('an unchanged payload writes nothing; a change swaps the version and drops what left', () => {
  writeAtomically(dir, payload({ a: '1', b: '2' }));
  const first = readlinkSync(join(dir, '..data'));
  expect(writeAtomically(dir, payload({ a: '1', b: '2' }))).toBe(false);
  expect(readlinkSync(join(dir, '..data'))).toBe(first);
  expect(writeAtomically(dir, payload({ a: '1', b: '2' }, 0o600))).toBe(true); // a mode change is a change
  expect(writeAtomically(dir, payload({ a: 'new', c: '3' }))).toBe(true);
  const second = readlinkSync(join(dir, '..data'));
  expect(second).not.toBe(first);
  // b's link is gone, and every version but the current one and the one before
  expect(readdirSync(dir).filter((e) => !e.startsWith('..2')).sort()).toEqual(['..data', 'a', 'c']);
  expect(readdirSync(dir).filter((e) => e.startsWith('..2'))).toHaveLength(2);
  expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('new');
  expect(() => lstatSync(join(dir, 'b'))).toThrow();
});

test('with an fsGroup, files get the group and read bits for it', () => {
  writeAtomically(dir, payload({ a: 'x' }, 0o400), { fsGroup: 2345 });
  const st = statSync(join(dir, 'a'));
  expect(st.gid).toBe(2345);
  expect(st.mode & 0o777).toBe(0o440);
});

test('a file given an owner is that user\'s (the pod user\'s token); with fsGroup it is 0640 in that group', () => {
  const p: Payload = new Map([
    ['token', { data: Buffer.from('jwt'), mode: 0o600, uid: 1234 }],
    ['ca.crt', { data: Buffer.from('ca'), mode: 0o644 }],
  ]);
  writeAtomically(dir, p, { fsGroup: 2345 });
  const token = statSync(join(dir, 'token'));
  expect([token.uid, token.gid, (token.mode & 0o777).toString(8)]).toEqual([1234, 2345, '640']);
  expect(statSync(join(dir, 'ca.crt')).uid).toBe(0);
  expect(writeAtomically(dir, p, { fsGroup: 2345 })).toBe(false);
  const other = mkdtempSync(join(tmpdir(), 'skiff-atomic-'));
  try {
    writeAtomically(other, new Map([['token', { data: Buffer.from('jwt'), mode: 0o600, uid: 1234 }]]));
    const st = statSync(join(other, 'token'));
    expect([st.uid, (st.mode & 0o777).toString(8)]).toEqual([1234, '600']);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('paths that could leave the volume are refused', () => {
  for (const bad of ['/etc/passwd', '../x', 'a/../../x', '..data', '..x', 'a//b', '']) expect(() => validatePayloadPath(bad)).toThrow();
  expect(() => writeAtomically(dir, payload({ '../escape': 'x' }))).toThrow();
  expect(readdirSync(dir)).toEqual([]);
});

test('a reader never sees half a set, nor a missing or partial file', async () => {
  // A reader in another thread, in a tight loop while this thread writes 200 versions (each with the
  // same number in both files): (1) through the user's links, each file is always there and whole;
  // (2) through one resolution of ..data, a and b always belong to the same version (a version
  // deleted between the readlink and the reads is retried, as a reader pinning ..data would).
  // The writer keeps the current version and the one before, as the kubelet keeps its old one until
  // the next swap: an open() that resolved ..data to a version then has one whole update to finish
  // in. So each version is written once the reader has completed a pass begun after the last one
  // (an event: the writer sends the version's number, the reader sends it back at the end of the
  // next pass it begins): updates come seconds apart in a cluster, and on a loaded
  // machine two back-to-back swaps could fall inside one open() of a descheduled reader (CI).
  writeAtomically(dir, payload({ a: '0', b: '0' }));
  const reader = new Worker(
    `const { readFileSync, readlinkSync } = require('node:fs'); const { parentPort, workerData: dir } = require('node:worker_threads');
     let reads = 0, torn = 0, missing = 0, stop = false, written = 0;
     parentPort.on('message', (m) => { if (m === 'stop') stop = true; else written = m; });
     (function loop() {
       const began = written;
       for (let i = 0; i < 20; i++) {
         try { if (!/^[0-9]+$/.test(readFileSync(dir + '/a', 'utf8'))) torn++; } catch (e) { missing++; }
         let version;
         try { version = dir + '/' + readlinkSync(dir + '/..data'); } catch (e) { missing++; continue; }
         try {
           const a = readFileSync(version + '/a', 'utf8'); const b = readFileSync(version + '/b', 'utf8');
           reads++; if (a !== b) torn++;
         } catch (e) { if (e.code !== 'ENOENT') throw e; }
       }
       if (stop) parentPort.postMessage({ reads, torn, missing }); else { parentPort.postMessage({ pass: began }); setImmediate(loop); }
     })();`,
    { eval: true, workerData: dir },
  );
  /** Resolves once the reader has completed a whole pass begun after it learnt of version v. */
  const passAfter = (v: number) =>
    new Promise<void>((resolve) => {
      const on = (m: { pass?: number }) => {
        if ((m.pass ?? -1) >= v) {
          reader.off('message', on);
          resolve();
        }
      };
      reader.on('message', on);
      reader.postMessage(v);
    });
  for (let v = 1; v <= 200; v++) {
    writeAtomically(dir, payload({ a: String(v), b: String(v) }));
    await passAfter(v);
  }
  const result = await new Promise<{ reads: number; torn: number; missing: number }>((resolve) => {
    reader.on('message', (m: { reads?: number; torn: number; missing: number }) => m.reads !== undefined && resolve(m as { reads: number; torn: number; missing: number }));
    reader.postMessage('stop');
  });
  await reader.terminate();
  expect(result.reads).toBeGreaterThan(0);
  expect(result).toMatchObject({ torn: 0, missing: 0 });
});
