// The CPU priority of a component thread of `skiff server` (ADR 0022). Linux schedules threads,
// not processes: a thread's nice value is set with setpriority(PRIO_PROCESS, tid), which Node's
// os.setPriority does when given a thread id. A thread learns its own id from /proc/thread-self.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The nice value of the scheduler's and controller manager's threads, against the API server
 * thread's 0. With both on the same two cores, each weighs 110 against the API server thread's
 * 1024 in Linux's CFS when both want the CPU; on an idle core they run as fast as before.
 */
export const COMPONENT_NICE = 10;

/** The calling thread's id (its task id under /proc), or undefined where /proc has no thread-self. */
export function currentThreadId(readlink: (path: string) => string = readlinkSync): number | undefined {
  try {
    // "PID/task/TID"
    const m = /^\d+\/task\/(\d+)$/.exec(readlink('/proc/thread-self'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lowers the calling thread's CPU priority to `nice` (never raises it). Returns what went wrong,
 * for the caller to say, or undefined when the thread now runs at `nice` or lower.
 */
export function lowerThreadPriority(nice: number): string | undefined {
  const tid = currentThreadId();
  if (tid === undefined) return 'cannot find this thread in /proc (not Linux?); it keeps its priority';
  try {
    if (getPriority(tid) < nice) setPriority(tid, nice);
    return undefined;
  } catch (err) {
    return `cannot lower this thread's priority: ${(err as Error).message}`;
  }
}
