// The effectful side of skiff's nftables table: `nft -f -`, one input one transaction of the
// kernel (a netlink batch: all of it applies or none does). Tables are per cluster, so no lock is
// needed against Docker or other clusters' agents.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function nftApply(input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new Error('nft is not installed (Debian: apt-get install nftables); the service proxy needs it') : e));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`nft failed (exit ${code}): ${err.trim().slice(0, 2000)}`))));
    p.stdin.end(input);
  });
}

/** Deletes table `ip NAME` if it exists (and nft is there). */
export async function nftDeleteTable(name: string): Promise<void> {
  let tables: string;
  try {
    tables = (await run('nft', ['list', 'tables', 'ip'])).stdout;
  } catch {
    return; // no nft: nothing of ours to remove
  }
  if (tables.split('\n').some((l) => l.trim() === `table ip ${name}`)) await run('nft', ['delete', 'table', 'ip', name]);
}
