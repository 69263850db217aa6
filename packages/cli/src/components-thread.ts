// The scheduler and the controller manager of `skiff server`, together in one worker thread, so
// that the API server's event loop serves requests only (issue 11: with all three on one loop the
// API server fell to 0.5x of its rate alone). In that thread they share one set of informers (one
// watch and one cache of each kind for both) and run at a lower CPU priority than the API server
// thread (ADR 0022). Each still talks to the API server over HTTPS as itself, like any client, and
// each can run alone (`skiff scheduler`, `skiff controller-manager`). The worker side is
// ./components-worker.ts; messages are validated on both sides (they cross a thread boundary).
import { Worker } from 'node:worker_threads';

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

/** The worker checks what it was given: it crossed a thread boundary. */
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

/** What the worker reports: ready (with the scheduler's explain URL), stopped, or a failure. */
export type WorkerMessage = { type: 'ready'; endpointUrl?: string } | { type: 'stopped' } | { type: 'failed'; message: string; code?: string };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  if (!m || typeof m !== 'object') return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready') return (m as { endpointUrl?: unknown }).endpointUrl === undefined || typeof (m as { endpointUrl?: unknown }).endpointUrl === 'string';
  if (t === 'stopped') return true;
  const code = (m as { code?: unknown }).code;
  return t === 'failed' && typeof (m as { message?: unknown }).message === 'string' && (code === undefined || typeof code === 'string');
}

export interface ComponentThread {
  /** The scheduler's explain URL once ready. */
  endpointUrl: string | undefined;
  /** Asks the components to stop (they give up their leases), then ends the thread. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * V8's young generation for a component thread. A component caches every object it watches
 * (every pod, for both), so most of what it allocates survives, and each scavenge copies the
 * survivors: with a larger young generation there are fewer scavenges for the same copying,
 * and fewer grow/shrink cycles of the semi-spaces. Measured with the components-on bench
 * (2026-12-06, machine shared, alternating runs): worker threads 94-99 µs (scheduler) and 45-47 µs
 * (controller manager) per create instead of 131-175 and 64-76 with V8's default.
 */
export const COMPONENT_YOUNG_GENERATION_MB = 64;

/**
 * Starts the components in a worker thread and resolves once they run. `onExit` is called if the
 * thread ends without being asked to (a crash): the caller decides what to do.
 */
export function startComponentThread(spec: ComponentSpec, onExit: (err: Error) => void): Promise<ComponentThread> {
  const what = [spec.scheduler && 'scheduler', spec.controllerManager && 'controller manager'].filter(Boolean).join(' and ');
  const worker = new Worker(new URL('./components-worker.ts', import.meta.url), { workerData: spec, resourceLimits: { maxYoungGenerationSizeMb: COMPONENT_YOUNG_GENERATION_MB } });
  let stopping = false;
  let stopped: (() => void) | undefined;
  return new Promise((resolve, reject) => {
    let ready = false;
    worker.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'ready' && !ready) {
        ready = true;
        resolve({
          endpointUrl: m.endpointUrl,
          async stop() {
            if (stopping) return;
            stopping = true;
            const done = new Promise<void>((r) => (stopped = r));
            worker.postMessage({ type: 'stop' });
            const timer = setTimeout(() => stopped?.(), STOP_TIMEOUT_MS);
            await done;
            clearTimeout(timer);
            await worker.terminate();
          },
        });
      } else if (m.type === 'stopped') stopped?.();
      else if (m.type === 'failed') {
        // The error code crosses too: the caller retries EADDRINUSE on another port.
        const err: NodeJS.ErrnoException = new Error(`${what}: ${m.message}`);
        if (m.code) err.code = m.code;
        if (!ready) {
          stopping = true;
          void worker.terminate();
          reject(err);
        } else if (!stopping) onExit(err);
      }
    });
    worker.on('error', (err) => {
      if (!ready) reject(err);
      else if (!stopping) onExit(err);
    });
    worker.on('exit', (code) => {
      stopped?.();
      if (!ready) reject(new Error(`${what} thread exited with ${code} before it was ready`));
      else if (!stopping) onExit(new Error(`${what} thread exited with ${code}`));
    });
  });
}
