// The scheduler and the controller manager of `skiff server`, together in a child process, so that
// the API server's process serves requests only (issue 11: with all three on one event loop the
// API server fell to 0.5x of its rate alone). There they share one set of informers (one watch
// and one cache of each kind for both), and every thread of that process, V8's garbage-collection
// helpers included, runs at a lower CPU priority than the API server's (ADR 0022). Each still talks
// to the API server over HTTPS as itself, like any client, and each can run alone (`skiff
// scheduler`, `skiff controller-manager`). The child's side is ./components-main.ts; messages are
// validated on both sides (they cross a process boundary).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A component's client certificate and key (PEM), with which it talks to the API server. */
export interface ComponentIdentity {
  cert?: string;
  key?: string;
}

export interface ComponentSpec {
  /** API server URL. */
  server: string;
  /** PEM: the cluster CA (https). */
  ca?: string;
  /** The scheduler, with its explain/metrics port on 127.0.0.1. */
  scheduler?: ComponentIdentity & { port: number };
  /** The controller manager, with its cluster CIDR (node IPAM) and the cluster CA and key it signs approved CSRs with (PEM). */
  controllerManager?: ComponentIdentity & { clusterCIDR?: string; signingCert?: string; signingKey?: string };
}

const isPem = (v: unknown) => v === undefined || (typeof v === 'string' && v.includes('-----BEGIN '));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The components' process checks what it was given: it crossed a process boundary. */
export function validComponentSpec(d: unknown): d is ComponentSpec {
  if (!isObject(d)) return false;
  if (typeof d.server !== 'string' || !/^https?:\/\//.test(d.server) || !isPem(d.ca)) return false;
  const { scheduler: s, controllerManager: c } = d;
  if (s === undefined && c === undefined) return false;
  if (s !== undefined && !(isObject(s) && isPem(s.cert) && isPem(s.key) && Number.isInteger(s.port) && (s.port as number) >= 0 && (s.port as number) < 65536)) return false;
  if (c === undefined) return true;
  if (!isObject(c) || ![c.cert, c.key, c.signingCert, c.signingKey].every(isPem)) return false;
  return c.clusterCIDR === undefined || (typeof c.clusterCIDR === 'string' && /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c.clusterCIDR));
}

/** What the components' process reports: ready (with the scheduler's explain URL), or a failure. Asked to stop, it exits. */
export type ComponentsMessage = { type: 'ready'; endpointUrl?: string } | { type: 'failed'; message: string; code?: string };

export function isComponentsMessage(m: unknown): m is ComponentsMessage {
  if (!m || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready') return (m as { endpointUrl?: unknown }).endpointUrl === undefined || typeof (m as { endpointUrl?: unknown }).endpointUrl === 'string';
  const code = (m as { code?: unknown }).code;
  return t === 'failed' && typeof (m as { message?: unknown }).message === 'string' && (code === undefined || typeof code === 'string');
}

export interface ComponentsProcess {
  /** The scheduler's explain URL once ready. */
  endpointUrl: string | undefined;
  /** Asks the components to stop (they give up their leases), then waits for their process to end. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * V8's young generation (semi-space) in the components' process. The components cache every
 * object they watch, so most of what they allocate survives, and each scavenge copies the
 * survivors: with a larger young generation there are fewer scavenges for the same copying,
 * and fewer grow/shrink cycles of the semi-spaces. Measured with the components-on bench
 * (2026-12-06, machine shared, alternating runs, as a worker thread's 64 MB young generation):
 * 94-99 µs (scheduler) and 45-47 µs (controller manager) per create instead of 131-175 and 64-76
 * with V8's default.
 */
export const COMPONENT_SEMI_SPACE_MB = 32;

/**
 * Starts the components in a process of their own and resolves once they run. `onExit` is
 * called if the process ends without being asked to (a crash): the caller decides what to do.
 * The spec (keys included) goes over the IPC channel, never in argv or the environment.
 */
export function startComponentsProcess(spec: ComponentSpec, onExit: (err: Error) => void): Promise<ComponentsProcess> {
  const what = [spec.scheduler && 'scheduler', spec.controllerManager && 'controller manager'].filter(Boolean).join(' and ');
  const child = fork(fileURLToPath(new URL('./components-main.ts', import.meta.url)), [], {
    execArgv: [...process.execArgv.filter((a) => !a.startsWith('--cpu-prof')), `--max-semi-space-size=${COMPONENT_SEMI_SPACE_MB}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let stopping = false;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.send({ type: 'start', spec });
  return new Promise((resolve, reject) => {
    let ready = false;
    child.on('message', (m: unknown) => {
      if (!isComponentsMessage(m)) return;
      if (m.type === 'ready' && !ready) {
        ready = true;
        resolve({
          endpointUrl: m.endpointUrl,
          async stop() {
            if (stopping) return;
            stopping = true;
            if (child.exitCode !== null || child.signalCode !== null) return;
            // It stops the components (their leases given up) and exits; one that does not
            // within the timeout is killed.
            child.send({ type: 'stop' });
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
            await exited;
            clearTimeout(timer);
          },
        });
      } else if (m.type === 'failed') {
        // The error code crosses too: the caller retries EADDRINUSE on another port.
        const err: NodeJS.ErrnoException = new Error(`${what}: ${m.message}`);
        if (m.code) err.code = m.code;
        if (!ready) {
          stopping = true;
          child.kill('SIGKILL');
          reject(err);
        } else if (!stopping) onExit(err);
      }
    });
    child.on('error', (err) => {
      if (!ready) reject(err);
      else if (!stopping) onExit(err);
    });
    child.on('exit', (code, signal) => {
      const how = signal ?? `code ${code}`;
      if (!ready) reject(new Error(`${what} process exited (${how}) before it was ready`));
      else if (!stopping) onExit(new Error(`${what} process exited (${how})`));
    });
  });
}
