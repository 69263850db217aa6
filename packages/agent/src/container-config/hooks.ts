// Lifecycle hooks (postStart, preStop) run as the kubelet's handler runner does: exec in the
// container, an HTTP GET to the container (only a transport error fails it; the status code is
// not looked at), or a sleep. The error messages are the kubelet's, so `kubectl describe` reads
// the same; they are put in the container's status, never in events (they may hold secrets).
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeObject } from '@skiff/api';
import type { ContainerRuntime } from '../runtime/types.ts';

export interface LifecycleHandler {
  exec?: { command?: string[] };
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  sleep?: { seconds: number };
}

export interface HookContainer {
  name: string;
  ports?: { name?: string; containerPort: number }[];
  lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
}

export interface HookTarget {
  runtime: ContainerRuntime;
  pod: KubeObject;
  container: HookContainer;
  containerId: string;
  /** The container's address (the pod IP) for httpGet without a host. */
  ip: string | undefined;
  /** Aborts a hook that outlives its time (preStop: the grace period). */
  signal?: AbortSignal;
}

/** Runs one handler; resolves with '' on success, rejects with the kubelet's message on failure. */
export async function runHook(handler: LifecycleHandler, t: HookTarget): Promise<void> {
  const podRef = `${t.pod.metadata.name}_${t.pod.metadata.namespace}(${t.pod.metadata.uid})`;
  if (handler.exec) {
    const command = handler.exec.command ?? [];
    const { code, output } = await execIn(t, command);
    if (code !== 0) {
      const err = `command '${command.join(' ')}' exited with ${code}: ${output}`;
      throw new HookError(`Exec lifecycle hook ([${command.join(' ')}]) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(podRef)} failed - error: ${err}, message: ${JSON.stringify(output)}`);
    }
    return;
  }
  if (handler.httpGet) {
    try {
      await httpGet(handler.httpGet, t);
    } catch (err) {
      throw new HookError(`HTTP lifecycle hook (${handler.httpGet.path ?? '/'}) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(podRef)} failed - error: ${(err as Error).message}`);
    }
    return;
  }
  if (handler.sleep) {
    await sleep(handler.sleep.seconds * 1000, t.signal);
    return;
  }
  // tcpSocket is not a hook handler (kept in the API for compatibility): the kubelet fails it so.
  throw new HookError(`Cannot run handler: invalid handler: ${JSON.stringify(handler)}`);
}

export class HookError extends Error {}

async function execIn(t: HookTarget, command: string[]): Promise<{ code: number; output: string }> {
  const session = await t.runtime.exec(t.containerId, { command, stdin: false, tty: false });
  let output = '';
  session.stdout.on('data', (d: Buffer) => (output += d.toString()));
  session.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await session.exitCode();
  return { code, output };
}

function httpGet(h: NonNullable<LifecycleHandler['httpGet']>, t: HookTarget): Promise<void> {
  const port = typeof h.port === 'string' && !/^\d+$/.test(h.port) ? t.container.ports?.find((p) => p.name === h.port)?.containerPort : Number(h.port);
  if (port === undefined || Number.isNaN(port)) return Promise.reject(new Error(`unknown port ${String(h.port)}`));
  const host = h.host || t.ip;
  if (!host) return Promise.resolve(); // a runtime without networking (the simulated one)
  const path = h.path || '/';
  const send = h.scheme === 'HTTPS' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    const req = send({ host, port, path, method: 'GET', headers: { 'User-Agent': 'kube-lifecycle/1.32', ...Object.fromEntries((h.httpHeaders ?? []).map((x) => [x.name, x.value])) }, agent: false, rejectUnauthorized: false, signal: t.signal }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', resolve);
    });
    req.on('error', (err) => reject(new Error(`Get "${h.scheme === 'HTTPS' ? 'https' : 'http'}://${host}:${port}${path}": ${err.message}`)));
    req.end();
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
