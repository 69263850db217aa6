// The cluster of the chaos suite as separate processes, started the way `skiff up` starts them
// (the `skiff` CLI's main.ts under this Node): an API server alone (`server --no-scheduler
// --no-controllers`), `scheduler`, `controller-manager` and one `agent` per node. Each can be
// SIGKILLed and started again with the same arguments, as a supervisor (systemd) would.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

interface Member {
  args: string[];
  log: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

export class ClusterProcesses {
  private readonly members = new Map<string, Member>();
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Starts `role` with `args` (remembered for restart()); its output is appended to ROLE.log. */
  start(role: string, args: string[]): number {
    const m = this.members.get(role) ?? { args, log: join(this.dir, `${role}.log`) };
    this.members.set(role, m);
    const fd = openSync(m.log, 'a');
    const child = spawn(process.execPath, ['--no-warnings', MAIN, ...m.args], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    m.child = child;
    m.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    return child.pid!;
  }

  restart(role: string): number {
    const m = this.members.get(role);
    if (!m) throw new Error(`no member ${role}`);
    return this.start(role, m.args);
  }

  /** SIGKILL, and waits until the process is gone. Returns its pid. */
  async kill(role: string): Promise<number> {
    const m = this.members.get(role);
    if (!m?.child) throw new Error(`${role} is not running`);
    const pid = m.child.pid!;
    m.child.kill('SIGKILL');
    await m.exited;
    m.child = undefined;
    return pid;
  }

  /** Running members that exited on their own (a crash rather than one of our kills). */
  crashed(): string[] {
    return [...this.members].filter(([, m]) => m.child && m.child.exitCode !== null).map(([role]) => role);
  }

  logSizes(): Record<string, number> {
    return Object.fromEntries([...this.members].map(([role, m]) => [role, statSync(m.log, { throwIfNoEntry: false })?.size ?? 0]));
  }

  /** The last `n` lines of every member's log, for a failure message. */
  logTails(n: number): string {
    return [...this.members]
      .map(([role, m]) => `--- ${role}.log\n${readFileSync(m.log, 'utf8').trimEnd().split('\n').slice(-n).join('\n')}`)
      .join('\n');
  }

  /** SIGTERM to everything, SIGKILL what is still there after 10 s. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.members.values()].map(async (m) => {
        if (!m.child || m.child.exitCode !== null) return;
        m.child.kill('SIGTERM');
        const timer = setTimeout(() => m.child?.kill('SIGKILL'), 10_000);
        await m.exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** A small seeded PRNG (mulberry32), so that a run's kill schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
