// Start/stop helpers: the app from buildApp, listening on a host and port (HTTPS when `tls` is
// given), and optionally a plain-HTTP listener on loopback (ADR 0014).
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { BuildAppOptions } from './app.ts';
import { registerExecUpgrade } from './routes/node-proxy.ts';
import { advertiseAddressProblem, defaultRouteAddress } from './advertise-address.ts';
import { apiServiceIP } from './registry/service-ips.ts';
import { KubernetesServiceReconciler } from './registry/kubernetes-service.ts';

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
  /**
   * Where pods and other members reach this server (kube-apiserver's --advertise-address): it goes
   * into the `kubernetes` Service's endpoints. Default: `host` when that is a routable address,
   * the default route's address when `host` is 0.0.0.0, none when `host` is loopback (then pods
   * cannot reach the server). When `host` is loopback, the server also listens (TLS, same port) on
   * this address. Only with `tls`.
   */
  advertiseAddress?: string;
  /** The `kubernetes` Service's reconcile period and endpoint lease (default 10 000 ms, 15 s). */
  endpointReconcile?: { intervalMs?: number; leaseSeconds?: number };
}

export interface RunningApiServer {
  /** e.g. https://127.0.0.1:6443 */
  url: string;
  port: number;
  /** The plain-HTTP loopback listener's URL, when asked for. */
  insecureUrl?: string;
  /** The address in the `kubernetes` Endpoints, if any. */
  advertiseAddress?: string;
  app: FastifyInstance;
  /** Stops listening, ends open watches, closes the storage. */
  close(): Promise<void>;
}

export async function startApiServer(opts: StartOptions): Promise<RunningApiServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!opts.tls && !isLoopback(host)) throw new Error(`plain HTTP is only served on loopback; ${host} needs TLS`);
  const advertise = opts.tls ? (opts.advertiseAddress ?? defaultAdvertiseAddress(host)) : undefined;
  const problem = opts.advertiseAddress !== undefined ? (opts.tls ? advertiseAddressProblem(opts.advertiseAddress) : 'it needs TLS') : undefined;
  if (problem) throw new Error(`cannot advertise ${opts.advertiseAddress}: ${problem}`);
  const app = await buildApp(opts);
  let insecure: Server | undefined;
  let extra: Server | undefined;
  let kubernetesService: KubernetesServiceReconciler | undefined;
  const closeListeners = async () => {
    for (const s of [insecure, extra]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  };
  let port = 0;
  try {
    await app.listen({ host, port: opts.port ?? 6443 });
    port = (app.server.address() as AddressInfo).port;
    if (opts.insecurePort !== undefined) insecure = await listenInsecure(app, opts.insecurePort);
    // Pods reach a server bound to loopback at its advertised address: listen there too.
    if (advertise && isLoopback(host)) extra = await listenTls(app, opts.tls!, advertise, port);
    if (opts.tls) {
      kubernetesService = new KubernetesServiceReconciler({
        stores: app.skiff.stores,
        serviceIP: apiServiceIP(opts.serviceClusterIPRange),
        port,
        advertise: advertise ? { address: advertise, port } : undefined,
        ...opts.endpointReconcile,
        log: (msg, err) => console.error(`skiff apiserver: ${msg}${err ? `: ${(err as Error).message ?? err}` : ''}`),
      });
      await kubernetesService.start();
    }
  } catch (e) {
    await closeListeners();
    await app.close();
    throw e;
  }
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const scheme = opts.tls ? 'https' : 'http';
  return {
    url: `${scheme}://${shownHost}:${port}`,
    port,
    insecureUrl: insecure ? `http://127.0.0.1:${(insecure.address() as AddressInfo).port}` : undefined,
    app,
    advertiseAddress: advertise,
    async close() {
      await kubernetesService?.stop();
      await closeListeners();
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

/** The same app over TLS on another address (the advertised one), same port. */
async function listenTls(app: FastifyInstance, tls: NonNullable<StartOptions['tls']>, host: string, port: number): Promise<Server> {
  const server = createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => app.routing(req, res));
  const relay = registerExecUpgrade(server, app.skiff);
  server.on('close', () => relay.close());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

function defaultAdvertiseAddress(host: string): string | undefined {
  if (host === '0.0.0.0' || host === '::') return defaultRouteAddress();
  return advertiseAddressProblem(host) ? undefined : host;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
