// The scheduler and the controller manager of `skiff server`, each in a worker thread of its own,
// so that the API server's event loop serves requests only (issue 11: with all three on one loop
// the API server fell to 0.5x of its rate alone). A component still talks to the API server over
// HTTP, like any client; the thread only saves a process. The worker side is
// ./components-worker.ts; messages are validated on both sides (they cross a thread boundary).
import { Worker } from 'node:worker_threads';

export type ComponentKind = 'scheduler' | 'controller-manager';

export interface ComponentSpec {
  kind: ComponentKind;
  /** API server URL. */
  server: string;
  /** PEM: the cluster CA and the component's client certificate and key (https). */
  ca?: string;
  cert?: string;
  key?: string;
  /** The scheduler's explain/metrics port on 127.0.0.1. */
  schedulerPort?: number;
  /** The controller manager's cluster CIDR (node IPAM). */
  clusterCIDR?: string;
  /** PEM: the cluster CA and its key, with which the controller manager signs approved CSRs. */
  signingCert?: string;
  signingKey?: string;
}

/** What the worker reports: ready (with its explain URL, for the scheduler), stopped, or a failure. */
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
  /** Asks the component to stop (it gives up its lease), then ends the thread. */
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
 * Starts a component in a worker thread and resolves once it runs. `onExit` is called if the
 * thread ends without being asked to (a crash): the caller decides what to do.
 */
export function startComponentThread(spec: ComponentSpec, onExit: (err: Error) => void): Promise<ComponentThread> {
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
        const err: NodeJS.ErrnoException = new Error(`${spec.kind}: ${m.message}`);
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
      if (!ready) reject(new Error(`${spec.kind} thread exited with ${code} before it was ready`));
      else if (!stopping) onExit(new Error(`${spec.kind} thread exited with ${code}`));
    });
  });
}
