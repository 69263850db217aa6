// Runs one probe attempt: httpGet, tcpSocket or exec, bounded by the probe's timeout.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { ContainerRuntime } from '../runtime/types.ts';

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command: string[] };
  timeoutSeconds?: number;
}

export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  /** The container's address; undefined on a runtime without networking (the simulated one). */
  ip: string | undefined;
  /** Named container ports, to resolve `port: http`. */
  namedPorts: ReadonlyMap<string, number>;
}

export interface ProbeOutcome {
  ok: boolean;
  message: string;
}

export async function runProbe(spec: ProbeSpec, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = (spec.timeoutSeconds ?? 1) * 1000;
  try {
    if (spec.exec) return await probeExec(spec.exec.command, target, timeoutMs);
    const port = spec.httpGet?.port ?? spec.tcpSocket?.port;
    const resolved = typeof port === 'string' && !/^\d+$/.test(port) ? target.namedPorts.get(port) : Number(port);
    if (resolved === undefined || Number.isNaN(resolved)) return { ok: false, message: `unknown port ${String(port)}` };
    const host = spec.httpGet?.host ?? spec.tcpSocket?.host ?? target.ip;
    // A simulated container has no network: its network probes succeed while it runs.
    if (!host) return { ok: true, message: 'simulated' };
    if (spec.httpGet) return await probeHttp(host, resolved, spec.httpGet.path ?? '/', spec.httpGet.httpHeaders ?? [], timeoutMs);
    return await probeTcp(host, resolved, timeoutMs);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function probeHttp(host: string, port: number, path: string, headers: { name: string; value: string }[], timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, headers: Object.fromEntries(headers.map((h) => [h.name, h.value])), agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code >= 200 && code < 400, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`Get "http://${host}:${port}${path}": context deadline exceeded`)));
    req.on('error', (err) => resolve({ ok: false, message: `Get "http://${host}:${port}${path}": ${err.message}` }));
    req.end();
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, timeout: timeoutMs });
    sock.on('connect', () => {
      sock.destroy();
      resolve({ ok: true, message: '' });
    });
    sock.on('timeout', () => {
      sock.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    });
    sock.on('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

async function probeExec(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const session = await target.runtime.exec(target.containerId, { command, stdin: false, tty: false });
  let output = '';
  session.stdout.on('data', (d: Buffer) => (output += d.toString()));
  session.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)));
  const code = await Promise.race([session.exitCode(), timeout]);
  clearTimeout(timer);
  if (code === -1) return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
  return { ok: code === 0, message: code === 0 ? '' : `command ${JSON.stringify(command)} exited with ${code}: ${output.trim()}` };
}
