// Start/stop helpers: the app from buildApp, listening on a host and port.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { BuildAppOptions } from './app.ts';

export interface StartOptions extends Omit<BuildAppOptions, 'storage'> {
  /** SQLite's directory (unless `etcd` is given). */
  dataDir?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 6443; 0 picks a free port. */
  port?: number;
}

export interface RunningApiServer {
  /** e.g. http://127.0.0.1:6443 */
  url: string;
  port: number;
  app: FastifyInstance;
  /** Stops listening, ends open watches, closes the storage. */
  close(): Promise<void>;
}

export async function startApiServer(opts: StartOptions): Promise<RunningApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const app = await buildApp(opts);
  try {
    await app.listen({ host, port: opts.port ?? 6443 });
  } catch (e) {
    await app.close();
    throw e;
  }
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { url: `http://${shownHost}:${port}`, port, app, close: () => app.close() };
}
