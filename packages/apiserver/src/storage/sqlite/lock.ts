// "One database, one process": a pid lock file beside the database. SQLite's own locking would
// let a second apiserver open the file and both would hand out the same revisions (the counter
// lives in memory). A lock left by a killed process is taken over once its pid is gone.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for `dbPath`; returns the release function. */
export function acquireLock(dbPath: string): () => void {
  const lockPath = `${dbPath}.lock`;
  if (heldHere.has(lockPath)) throw new Error(`${dbPath} is already open in this process`);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      let pid = 0;
      try {
        pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      } catch {
        // Unreadable or vanished: treat as stale.
      }
      // Our own pid here means a previous incarnation (containers reuse pid 1), not a live holder.
      if (pid > 0 && pid !== process.pid && alive(pid)) throw new Error(`${dbPath} is in use by process ${pid} (lock ${lockPath})`);
      try {
        unlinkSync(lockPath);
      } catch {
        // Someone else removed it first; the retry decides.
      }
    }
  }
  heldHere.add(lockPath);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(lockPath);
    try {
      unlinkSync(lockPath);
    } catch {
      // Already gone.
    }
  };
}
