// Durability under SIGKILL: a child writes in a loop, printing each acknowledged write; we kill it
// at random points, reopen, and check that every acknowledged write is there and the file is sound.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openIn, tempDir } from './test-helpers.ts';

const WRITER = join(fileURLToPath(new URL('.', import.meta.url)), 'crash-writer.ts');
const KILLS = 10;

/** Runs the writer until `afterMs` past its first acknowledged write, SIGKILLs it, returns the complete lines it printed. */
function runAndKill(dataDir: string, run: number, afterMs: number, mode: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dataDir, String(run), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      // The clock starts at the first acknowledged write, so every run acknowledges something.
      if (!timer && /\nC [^\n]*\n/.test(out)) timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    // 'exit' (after the kernel reaped it) before we reopen: the lock file's pid must be gone.
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited early (code ${code}): ${err}`));
      const lines = out.split('\n');
      lines.pop(); // a line cut by the kill is not an acknowledgement we can read
      resolve(lines);
    });
  });
}

test.each(['sync', 'group'])(`every acknowledged write survives ${KILLS} SIGKILLs at random points (%s commit)`, async (mode) => {
  const t = tempDir();
  try {
    const present = new Map<string, number>(); // acknowledged creates -> rv
    const deleted = new Set<string>();
    let counterN = 0;
    let counterRv = 0;
    let maxRv = 0;
    for (let run = 0; run < KILLS; run++) {
      const lines = await runAndKill(t.dir, run, 30 + Math.floor(Math.random() * 400), mode);
      expect(lines[0]).toMatch(/^READY \d+$/);
      // The writer resumed at or after everything acknowledged before (revisions never go back).
      expect(Number(lines[0].split(' ')[1])).toBeGreaterThanOrEqual(maxRv);
      for (const line of lines.slice(1)) {
        const [op, name, a, b] = line.split(' ');
        const rv = Number(op === 'U' ? b : a);
        expect(rv).toBeGreaterThan(maxRv);
        maxRv = rv;
        if (op === 'C') present.set(name, rv);
        else if (op === 'D') deleted.add(name);
        else ((counterN = Number(a)), (counterRv = rv));
      }
      expect(lines.length).toBeGreaterThan(1);

      // The file is sound, checked by plain SQLite before our code touches it.
      const db = new Database(join(t.dir, 'skiff.db'));
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();

      const s = openIn(t.dir);
      try {
        expect(s.currentRevision()).toBeGreaterThanOrEqual(maxRv);
        const list = s.list('pods', { namespace: 'crash' });
        const stored = new Map(list.items.map((o) => [o.metadata.name!, Number(o.metadata.resourceVersion)]));
        for (const [name, rv] of present) expect([name, stored.get(name)]).toEqual([name, rv]);
        for (const name of deleted) expect(stored.has(name)).toBe(false);
        const counter = s.get({ resource: 'pods', namespace: 'crash', name: 'counter' })!;
        // The update in flight at the kill may or may not have committed; acknowledged ones did.
        expect(counter.spec.n).toBeGreaterThanOrEqual(counterN);
        expect(Number(counter.metadata.resourceVersion)).toBeGreaterThanOrEqual(counterRv);
        // The log is readable from the compacted revision to the current one, without gaps.
        const revs: number[] = [];
        s.watch('pods', { fromRevision: s.compactedRevision() }, (e) => revs.push(e.revision)).close();
        expect(revs).toEqual(Array.from({ length: s.currentRevision() - s.compactedRevision() }, (_, i) => s.compactedRevision() + 1 + i));
      } finally {
        s.close();
      }
    }
    expect(present.size).toBeGreaterThan(KILLS);
  } finally {
    t.cleanup();
  }
}, 120_000);
