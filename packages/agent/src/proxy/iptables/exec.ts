// The effectful side of the kernel proxy: iptables-restore, iptables-save and the jumps from the
// built-in chains. Every call waits for the xtables lock (-w), since Docker and other agents on
// the same kernel write rules too.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function iptablesRestore(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('iptables-restore', ['--noflush', '--wait'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`iptables-restore failed (exit ${code}): ${err.trim().slice(0, 2000)}`))));
    p.stdin.end(input);
  });
}

export async function iptablesSave(): Promise<string> {
  const [nat, filter] = await Promise.all([run('iptables-save', ['-t', 'nat'], { maxBuffer: 256 * 1024 * 1024 }), run('iptables-save', ['-t', 'filter'], { maxBuffer: 256 * 1024 * 1024 })]);
  return `${nat.stdout}\n${filter.stdout}`;
}

/** Adds `-j to` (after `extra` matches) at the top of `from` unless it is there. */
export async function ensureJump(table: string, from: string, to: string, extra = ''): Promise<void> {
  const rule = [...(extra ? extra.split(' ') : []), '-j', to];
  try {
    await run('iptables', ['-w', '-t', table, '-C', from, ...rule]);
  } catch {
    await run('iptables', ['-w', '-t', table, '-I', from, '1', ...rule]);
  }
}

export async function removeJump(table: string, from: string, to: string, extra = ''): Promise<void> {
  const rule = [...(extra ? extra.split(' ') : []), '-j', to];
  await run('iptables', ['-w', '-t', table, '-D', from, ...rule]).catch(() => undefined);
}
