// tmpfs mounts on the host, for memory-backed emptyDirs and for the volumes whose files must never
// reach the disk (secret, projected, downwardAPI), as the kubelet mounts them. Needs root
// (CAP_SYS_ADMIN), which a node agent has.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when `dir` is the root of a mount (its device differs from its parent's). */
export function isMountPoint(dir: string): boolean {
  try {
    return statSync(dir).dev !== statSync(dirname(dir)).dev;
  } catch {
    return false;
  }
}

export async function mountTmpfs(dir: string, opts: { sizeBytes?: number; mode: number }): Promise<void> {
  if (isMountPoint(dir)) return;
  const o = [`mode=${opts.mode.toString(8).padStart(4, '0')}`];
  if (opts.sizeBytes !== undefined) o.push(`size=${opts.sizeBytes}`);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', o.join(','), 'tmpfs', dir]);
  } catch (err) {
    throw new Error(`mount of tmpfs at ${dir} failed: ${((err as { stderr?: string }).stderr || (err as Error).message).trim()}`);
  }
}

/** Mount points at or below `prefix`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(prefix: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = text.split('\n').filter(Boolean).map((l) => unescape(l.split(' ')[4]));
  return points.filter((p) => p === prefix || p.startsWith(`${prefix}/`)).sort((a, b) => b.length - a.length);
}

export async function unmountAll(prefix: string): Promise<void> {
  for (const p of mountsUnder(prefix)) {
    try {
      await run('umount', [p]);
    } catch (err) {
      // Busy (a container still holds it): detach it lazily so the directory can go.
      await run('umount', ['-l', p]).catch(() => {
        throw err;
      });
    }
  }
}

/** Removes an agent's state directory, unmounting what is mounted below it first (tests, `skiff down`). */
export async function removeAgentState(rootDir: string): Promise<void> {
  await unmountAll(rootDir);
  rmSync(rootDir, { recursive: true, force: true });
}
