// `skiff server` as a child process of a CLI test: started with the test's flags in a temporary
// directory, and after each test stopped (SIGTERM, waited for) and its directory removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SKIFF = fileURLToPath(new URL('../../../../bin/skiff', import.meta.url));

/** The server's API URL, once it printed it. */
export const listeningUrl = (output: string): string | undefined => /listening on (https:\/\/\S+)/.exec(output)?.[1];

export interface SkiffServers {
  /** A temporary directory (SKIFF_HOME of the servers started in it), removed after the test. */
  tempDir(): string;
  /**
   * Starts `skiff server --data-dir DIR/data ARGS` and resolves once `ready(output)` finds what it
   * waits for in what the server printed (stdout and stderr), with that and the output; rejects
   * if the server exits first or takes over 30 s. `pid` is the server's process (bin/skiff execs node).
   */
  start<T>(dir: string, args: string[], ready: (output: string) => T | undefined): Promise<{ ready: T; output: string; pid: number }>;
}

/** Servers and directories of the file's tests (registers an afterEach that stops and removes them). */
export function useSkiffServers(prefix: string): SkiffServers {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(
      children.splice(0).map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    start(dir, args, ready) {
      const child = spawn(SKIFF, ['server', '--data-dir', join(dir, 'data'), ...args], { env: { ...process.env, SKIFF_HOME: dir } });
      children.push(child);
      let output = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`skiff server did not start in time:\n${output}`)), 30_000);
        const onData = (d: Buffer) => {
          output += d.toString();
          const found = ready(output);
          if (found !== undefined) {
            clearTimeout(timer);
            resolve({ ready: found, output, pid: child.pid! });
          }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', onData);
        child.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`skiff server exited with ${code}:\n${output}`));
        });
      });
    },
  };
}
