// `skiff server` runs its scheduler and controller manager together in one thread of their own, at
// a lower CPU priority than the API server's thread (ADR 0022): read back from the kernel, per thread.
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { listeningUrl, useSkiffServers } from './support/skiff-server.ts';
import { COMPONENT_NICE, currentThreadId } from '../src/thread-priority.ts';

const servers = useSkiffServers('skiff-threads-');
// The server inherits this test's own nice value (0, unless the tests run under `nice`).
const base = getPriority();
const lowered = Math.max(base, COMPONENT_NICE);

/** Each thread of a process: its name and nice value, from /proc/PID/task/TID/stat. */
function threads(pid: number): { tid: number; name: string; nice: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after "(comm) ": state is the first; nice is stat's 19th field.
    const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    return { tid: Number(tid), name, nice };
  });
}

test('the components thread runs at nice 10, the API server thread as started', async () => {
  const dir = servers.tempDir();
  const { pid } = await servers.start(dir, ['--port', '0'], (out) => (listeningUrl(out) && out.includes('controller manager running') && out.includes('scheduler running') ? true : undefined));
  const all = threads(pid);
  expect(all.find((t) => t.tid === pid)?.nice).toBe(base);
  // Node names its worker threads "WorkerThread": the components' one, and the SQLite store's
  // checkpointer, which is part of the API server and keeps its priority.
  const workers = all.filter((t) => t.name === 'WorkerThread');
  expect(workers.map((t) => t.nice).sort((a, b) => a - b)).toEqual([base, lowered]);
  // Nothing else of the process was lowered (V8's and libuv's threads serve the API server too).
  expect(all.filter((t) => t.nice !== base && t.name !== 'WorkerThread')).toEqual([]);
}, 60_000);

test('a server started with only the scheduler lowers its thread too', async () => {
  const dir = servers.tempDir();
  const { pid } = await servers.start(dir, ['--port', '0', '--no-controllers'], (out) => (listeningUrl(out) && out.includes('scheduler running') ? true : undefined));
  expect(threads(pid).filter((t) => t.name === 'WorkerThread').map((t) => t.nice).sort((a, b) => a - b)).toEqual([base, lowered]);
}, 60_000);

test('currentThreadId reads the thread id from /proc/thread-self', () => {
  expect(currentThreadId()).toBe(process.pid);
  expect(currentThreadId(() => '123/task/456')).toBe(456);
  expect(currentThreadId(() => 'garbage')).toBeUndefined();
  expect(
    currentThreadId(() => {
      throw new Error('ENOENT');
    }),
  ).toBeUndefined();
});
