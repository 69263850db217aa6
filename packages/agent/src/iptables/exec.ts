// The effectful side of skiff's iptables rules: iptables-save and iptables-restore. A restore is
// one transaction of the kernel (iptables-nft: one netlink batch); --wait takes the xtables lock
// where the legacy backend uses it, since Docker and other agents on the same kernel write rules too.
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

/** `iptables-save` of the nat and filter tables. */
export async function iptablesSave(): Promise<string> {
  const [nat, filter] = await Promise.all([run('iptables-save', ['-t', 'nat'], { maxBuffer: 256 * 1024 * 1024 }), run('iptables-save', ['-t', 'filter'], { maxBuffer: 256 * 1024 * 1024 })]);
  return `${nat.stdout}\n${filter.stdout}`;
}
