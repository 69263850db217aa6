// Carries out an install plan (unit.ts): files written atomically with their modes (owned by the
// user running skiff, root for /etc), then the systemctl commands. Under `root` other than `/`
// (tests, image builds) the files go below it and the commands are only printed, as with --dry-run,
// which changes nothing at all.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from './unit.ts';

export interface ApplyOptions {
  root: string;
  dryRun: boolean;
  log: (line: string) => void;
}

export function applyPlan(plan: Plan, o: ApplyOptions): void {
  const real = o.root === '/' || o.root === '';
  const at = (p: string) => (real ? p : join(o.root, p));
  for (const f of plan.files) {
    if (o.dryRun) {
      o.log(`would write ${at(f.path)} (mode ${f.mode.toString(8).padStart(4, '0')}):\n${f.mode === 0o600 ? '  (contents not shown: it may hold secrets)\n' : f.content}`);
      continue;
    }
    const path = at(f.path);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, f.content, { mode: f.mode });
    chmodSync(tmp, f.mode); // whatever the umask
    renameSync(tmp, path);
    o.log(`wrote ${path}`);
  }
  for (const p of plan.remove) {
    if (o.dryRun) o.log(`would remove ${at(p)}`);
    else {
      rmSync(at(p), { force: true });
      o.log(`removed ${at(p)}`);
    }
  }
  for (const c of plan.commands) {
    if (o.dryRun || !real) {
      o.log(`would run: ${c.join(' ')}`);
      continue;
    }
    o.log(`running: ${c.join(' ')}`);
    try {
      execFileSync(c[0], c.slice(1), { stdio: ['ignore', 'inherit', 'pipe'] });
    } catch (e) {
      const err = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`${c.join(' ')} failed${err ? `: ${err}` : ''}${/not been booted with systemd|Failed to connect to bus/.test(err ?? '') ? ' (this machine does not run systemd; the unit files are written, start skiff another way)' : ''}`);
    }
  }
}
