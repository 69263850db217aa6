// Start/stop helpers: the app from buildApp, listening on a host and port (HTTPS when `tls` is
// given), and optionally a plain-HTTP listener on loopback (ADR 0014).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { BuildAppOptions } from './app.ts';
import { registerExecUpgrade } from './routes/node-proxy.ts';

export interface StartOptions extends Omit<BuildAppOptions, 'storage'> {
  /** SQLite's directory (unless `etcd` is given). */
  dataDir?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 6443; 0 picks a free port. */
  port?: number;
  /**
   * Also serve plain HTTP on 127.0.0.1 at this port (0 picks one), every request as
   * system:unsecured, as Kubernetes' old --insecure-port did. A development convenience.
   */
  insecurePort?: number;
}

export interface RunningApiServer {
  /** e.g. https://127.0.0.1:6443 */
  url: string;
  port: number;
  /** The plain-HTTP loopback listener's URL, when asked for. */
  insecureUrl?: string;
  app: FastifyInstance;
  /** Stops listening, ends open watches, closes the storage. */
  close(): Promise<void>;
}

export async function startApiServer(opts: StartOptions): Promise<RunningApiServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!opts.tls && !isLoopback(host)) throw new Error(`plain HTTP is only served on loopback; ${host} needs TLS`);
  const app = await buildApp(opts);
  let insecure: Server | undefined;
  try {
    await app.listen({ host, port: opts.port ?? 6443 });
    if (opts.insecurePort !== undefined) insecure = await listenInsecure(app, opts.insecurePort);
  } catch (e) {
    await app.close();
    throw e;
  }
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const scheme = opts.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${shownHost}:${port}`,
    port,
    insecureUrl: insecure ? `http://127.0.0.1:${(insecure.address() as AddressInfo).port}` : undefined,
    app,
    async close() {
      if (insecure) {
        insecure.closeAllConnections();
        await new Promise((r) => insecure!.close(r));
      }
      await app.close();
    },
  };
}

/** The same app on a plain-HTTP server bound to 127.0.0.1 only. */
async function listenInsecure(app: FastifyInstance, port: number): Promise<Server> {
  const server = createServer((req, res) => app.routing(req, res));
  const relay = registerExecUpgrade(server, app.skiff);
  server.on('close', () => relay.close());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
