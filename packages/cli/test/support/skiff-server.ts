// `skiff server` as a child process of a CLI test: started with the test's flags in a temporary
// directory, and after each test stopped (SIGTERM, waited for) and its directory removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildServerExitedError, startChildServer, type ChildServer } from '@skiff/apiserver/testing';

export const SKIFF = fileURLToPath(new URL('../../../../bin/skiff', import.meta.url));

/** The server's API URL, once it printed it. */
export { secureUrl as listeningUrl } from '@skiff/apiserver/testing';

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
  const servers: ChildServer<unknown>[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop('SIGTERM')));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    async start(dir, args, ready) {
      try {
        const server = await startChildServer(['server', '--data-dir', join(dir, 'data'), ...args], { command: SKIFF, env: { ...process.env, SKIFF_HOME: dir }, ready });
        servers.push(server);
        return { ready: server.ready, output: server.output(), pid: server.proc.pid! };
      } catch (e) {
        throw e instanceof ChildServerExitedError ? new Error(`skiff server ${e.message}`) : e;
      }
    },
  };
}
