// One skiff process at a time changes what every cluster on a kernel shares: the jumps from the
// built-in chains (POSTROUTING, DOCKER-USER, ...). Checking for a rule and then inserting it is
// not atomic, so agents starting together (`skiff up`, test files side by side) used to insert the
// same jump twice. A flock(1) child holds an exclusive lock on LOCK_FILE while `fn` runs; its stdin
// is our pipe, so when we end (or are killed) it exits and the lock is released: a killed agent
// never leaves the lock held. The file is shared by every network namespace of the machine, which
// only serialises a little more than needed.
import { spawn } from 'node:child_process';

export const LOCK_FILE = '/run/skiff-iptables.lock';
const WAIT_SECONDS = 60;

export async function withHostRulesLock<T>(fn: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', ['-x', '-w', String(WAIT_SECONDS), LOCK_FILE, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => holder.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', reject);
    void exited.then((code) => reject(new Error(`could not lock ${LOCK_FILE} within ${WAIT_SECONDS} s (flock exit ${code}): ${stderr.trim()}`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
