// The CPU priority of `skiff server`'s components process (ADR 0022). Linux schedules threads, not
// processes: a thread's nice value is set with setpriority(PRIO_PROCESS, tid), which Node's
// os.setPriority does when given a thread id, and a new thread starts with its maker's. So the
// process lowers each of its threads (listed in /proc/self/task), V8's helpers included.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The nice value of the scheduler's and controller manager's process, against the API server's 0.
 * Each of its threads weighs 110 against an API server thread's 1024 in Linux's CFS when both want
 * the same core; on an idle core they run as fast as before.
 */
export const COMPONENT_NICE = 10;

/**
 * Lowers every thread of this process to `nice` (never raises one); threads made later inherit it
 * from the thread that makes them. Returns what went wrong, or undefined.
 */
export function lowerProcessPriority(nice: number, taskDir = '/proc/self/task'): string | undefined {
  let tids: number[];
  try {
    tids = readdirSync(taskDir).map(Number);
  } catch {
    return 'cannot list this process\'s threads in /proc (not Linux?); it keeps its priority';
  }
  for (const tid of tids) {
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch (err) {
      // A thread that ended meanwhile is fine; anything else is worth a word.
      const code = (err as NodeJS.ErrnoException & { info?: { code?: string } }).info?.code ?? (err as NodeJS.ErrnoException).code;
      if (code !== 'ESRCH') return `cannot lower thread ${tid}'s priority: ${(err as Error).message}`;
    }
  }
  return undefined;
}
