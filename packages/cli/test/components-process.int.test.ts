// `skiff server` runs its scheduler and controller manager together in a process of their own, every
// thread of which runs at a lower CPU priority than the API server's (ADR 0022): read back from the
// kernel, per thread.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPriority } from 'node:os';
import { until } from '@skiff/apiserver/testing';
import { listeningUrl, SKIFF, useSkiffServers } from './support/skiff-server.ts';
import { COMPONENT_NICE } from '../src/process-priority.ts';

const servers = useSkiffServers('skiff-threads-');
// The server inherits this test's own nice value (0, unless the tests run under `nice`).
const base = getPriority();
const lowered = Math.max(base, COMPONENT_NICE);

/** The nice value of each thread of a process, from /proc/PID/task/TID/stat (its 19th field). */
function niceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/** The child processes of a process. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
}

const started = (wants: string[]) => (out: string) => (listeningUrl(out) && wants.every((w) => out.includes(w)) ? true : undefined);

test('the components process runs every thread at nice 10; the API server keeps its priority', async () => {
  const dir = servers.tempDir();
  const { pid } = await servers.start(dir, ['--port', '0'], started(['scheduler running', 'controller manager running']));
  // Every thread of the API server's process as it started: the checkpointer, V8's and libuv's serve it.
  expect(new Set(niceValues(pid))).toEqual(new Set([base]));
  const children = childrenOf(pid);
  expect(children).toHaveLength(1);
  const threads = niceValues(children[0]);
  expect(threads.length).toBeGreaterThan(1);
  expect(new Set(threads)).toEqual(new Set([lowered]));
}, 60_000);

test('with only the scheduler, its process is lowered too', async () => {
  const dir = servers.tempDir();
  const { pid } = await servers.start(dir, ['--port', '0', '--no-controllers'], started(['scheduler running']));
  const children = childrenOf(pid);
  expect(children).toHaveLength(1);
  expect(new Set(niceValues(children[0]))).toEqual(new Set([lowered]));
}, 60_000);

test('the components process ends when the server is killed', async () => {
  const dir = servers.tempDir();
  const { pid } = await servers.start(dir, ['--port', '0'], started(['scheduler running', 'controller manager running']));
  const [child] = childrenOf(pid);
  process.kill(pid, 'SIGKILL');
  // Its IPC channel closes with the server: it exits rather than go on without one.
  await until('the components process is gone', () => !readdirSync('/proc').includes(String(child)), { timeoutMs: 10_000 });
}, 60_000);

test('Ctrl-C to the whole process group: the server stops the components, which give up their leases', async () => {
  const dir = servers.tempDir();
  // A group of its own, as a terminal's foreground job: SIGINT goes to every process in it.
  const child = spawn(SKIFF, ['server', '--data-dir', join(dir, 'data'), '--port', '0'], { env: { ...process.env, SKIFF_HOME: dir }, detached: true });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await until('the server and both components running', () => output.includes('controller manager running') && output.includes('scheduler running'), 30_000);
    const [components] = childrenOf(child.pid!);
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    // Not a crash of the components (which would say how their process exited), and they ended
    // their terms themselves: the scheduler says it lost the lease when it gives it up.
    expect(output).not.toMatch(/process exited/);
    expect(output).toContain('lost the lease');
    expect(readdirSync('/proc')).not.toContain(String(components));
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}, 60_000);
