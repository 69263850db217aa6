// A server as a child process of a test or benchmark: `skiff server`, or a benchmark's bare
// baseline server. Spawned with the caller's arguments, it is ready once what it printed says so
// (by default: its plain HTTP URL); until then an exit is an error that carries its exit code and
// what it wrote to stderr. One implementation of "spawn, wait for the line, keep the output, stop"
// for every test and benchmark that starts servers as processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The CLI's entry point, run with `node` (no build step): a path and not an import, because the
 * CLI depends on this package, not the other way round.
 */
export const SKIFF_MAIN = fileURLToPath(new URL('../../../cli/src/main.ts', import.meta.url));

/** The plain HTTP URL a server printed (`listening on http://...`), once the whole of it has come. */
export const plainUrl = (output: string): string | undefined => /listening on (http:\/\/\S+)\s/.exec(output)?.[1];

/** The HTTPS URL `skiff server` printed (`listening on https://...`), once the whole of it has come. */
export const secureUrl = (output: string): string | undefined => /listening on (https:\/\/\S+)\s/.exec(output)?.[1];

export interface ChildServer<T> {
  proc: ChildProcess;
  /** What `ready` found. */
  ready: T;
  /** Everything it has printed so far: stdout, and stderr unless that was inherited. */
  output(): string;
  /** What it has written to stderr so far ('' when inherited). */
  stderr(): string;
  /** Sends `signal` (default SIGKILL) unless it has exited, and resolves once it has. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ChildServerOptions<T> {
  /** What to wait for in what it printed; `undefined` means not yet. Default: its plain HTTP URL. */
  ready?: (output: string) => T | undefined;
  /** The command; default: this node, with `args` starting with the script. */
  command?: string;
  env?: NodeJS.ProcessEnv;
  /** 'inherit' passes stderr through (benchmarks); 'pipe' (default) keeps it. */
  stderr?: 'pipe' | 'inherit';
  /** Default 30 s: it is stopped and the promise rejects if it is not ready by then. */
  timeoutMs?: number;
}

/** It exited before it was ready (or was stopped when not ready in time): how, and what it printed. */
export class ChildServerExitedError extends Error {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly output: string;
  /** It did not exit by itself: it was not ready in time and was stopped. */
  readonly timedOut: boolean;
  constructor(proc: ChildProcess, stderr: string, output: string, timeoutMs?: number) {
    const why = timeoutMs === undefined ? `exited (${proc.exitCode ?? proc.signalCode}) before it was ready` : `not ready within ${timeoutMs} ms`;
    super(`${why}: ${stderr.trim() || output.trim()}`);
    this.code = proc.exitCode;
    this.signal = proc.signalCode;
    this.stderr = stderr;
    this.output = output;
    this.timedOut = timeoutMs !== undefined;
  }
}

/** Spawns a server and resolves once `ready` finds what it waits for in what the server printed. */
export function startChildServer<T = string>(args: string[], opts: ChildServerOptions<T> = {}): Promise<ChildServer<T>> {
  const ready = opts.ready ?? (plainUrl as unknown as (output: string) => T | undefined);
  const proc = spawn(opts.command ?? process.execPath, args, { stdio: ['ignore', 'pipe', opts.stderr ?? 'pipe'], env: opts.env ?? process.env });
  let output = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      void stop().then(() => reject(new ChildServerExitedError(proc, stderr, output, timeoutMs)));
    }, timeoutMs);
    const check = () => {
      if (done) return;
      const found = ready(output);
      if (found === undefined) return;
      done = true;
      clearTimeout(timer);
      resolve({ proc, ready: found, output: () => output, stderr: () => stderr, stop });
    };
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      check();
    });
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      output += d;
      check();
    });
    // 'close', not 'exit': every byte it wrote has been read by then.
    proc.once('close', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new ChildServerExitedError(proc, stderr, output));
    });
  });
}
