// Docker's Engine API can start an exec but not stop one: closing the attached stream leaves the
// process running (for `tail -f`, forever). containerd's CRI kills an exec with SIGKILL when its
// stream goes away; to do the same, the agent signals the exec's process itself. The engine
// reports the process's host PID; it is signalled only after /proc confirms it is in the
// container's cgroup, so a PID from another PID namespace (or a reused PID) is never hit.
import { readFile } from 'node:fs/promises';

/** True when `pid` is a process of container `containerId` as this host sees it. */
export async function isContainerProcess(pid: number, containerId: string): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    return (await readFile(`/proc/${pid}/cgroup`, 'utf8')).includes(containerId);
  } catch {
    return false; // gone already, or not visible from here
  }
}

/** SIGKILLs the exec's process when it still belongs to the container; whether it did. */
export async function killExecProcess(pid: number, containerId: string): Promise<boolean> {
  if (!(await isContainerProcess(pid, containerId))) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false; // exited meanwhile
  }
}
