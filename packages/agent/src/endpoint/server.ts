// The agent's own HTTP endpoint (the part of the kubelet API skiff needs): container logs and
// exec, reached by the API server's pods/log and pods/exec subresources through the Node's
// status.daemonEndpoints.kubeletEndpoint.Port on its InternalIP.
//   GET /healthz
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&timestamps&previous
//   GET /exec/{namespace}/{pod}/{container}?command=..&command=..&stdin&stdout&stderr&tty  (WebSocket)
//   GET /attach/{namespace}/{pod}/{container}?stdin&stdout&stderr&tty                       (WebSocket)
//   GET /portForward/{namespace}/{pod}            (WebSocket tunnelling SPDY, or SPDY/3.1; ./port-forward.ts)
// With `tls` (an agent with a certificate from the cluster CA) it serves HTTPS with the node's
// serving certificate and accepts only the API server: the TLS handshake requires a client
// certificate signed by the cluster CA, and a request from any other identity than the API
// server's (kube-apiserver-kubelet-client) is 403 (ADR 0019). Until the serving certificate
// arrives (a CSR, see ../identity/node-certificates.ts) handshakes fail.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { ContainerGoneError, type ContainerRuntime } from '../runtime/types.ts';
import { bridgeAttach, bridgeExec, EXEC_PROTOCOLS, failureStatus } from './exec-session.ts';
import { PORT_FORWARD_PROTOCOL, PORT_FORWARD_WEBSOCKET_PROTOCOL, servePortForward } from './port-forward.ts';
import { EndpointError, findContainer } from './find-container.ts';
import { parseBool, parseBoolError, type KubeObject } from '@skiff/api';

export interface EndpointOptions {
  runtime: ContainerRuntime;
  /** Serve this node's containers only (by their node label). */
  nodeName: string;
  host: string;
  port: number;
  log(message: string): void;
  /** The address of a pod on this node (its holder's IP), for port-forward; undefined when unknown. */
  podIP?(namespace: string, name: string): string | undefined;
  /** The pod as the agent knows it (its spec says which attempt is a container's last run); undefined when unknown. */
  podObject?(namespace: string, name: string): KubeObject | undefined;
  /** Serve HTTPS to the API server only (see above); plain HTTP without. */
  tls?: EndpointTls;
}

export interface EndpointTls {
  /** PEM of the cluster CA that signed the API server's client certificate. */
  ca: string;
  /** The one client identity (certificate CN) served. */
  allowedClient: string;
}

export interface AgentEndpoint {
  port: number;
  /** Serves with this certificate from now on (the first one, and each renewal). Only with `tls`. */
  setServingCertificate(pair: { cert: string; key: string }): void;
  close(): Promise<void>;
}

/** Why a request on a TLS endpoint is refused (403), or undefined when it is the API server's. */
function clientRefusal(tls: EndpointTls | undefined, req: IncomingMessage): string | undefined {
  if (!tls) return undefined;
  const socket = req.socket as TLSSocket;
  // rejectUnauthorized already ended handshakes without a certificate from the CA.
  const cn = socket.authorized ? socket.getPeerCertificate()?.subject?.CN : undefined;
  if (cn === tls.allowedClient) return undefined;
  return `the node agent serves only the API server (${tls.allowedClient}), not ${cn === undefined ? 'an unauthenticated client' : JSON.stringify(cn)}`;
}

const LOGS = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/;
const UPGRADES = /^\/(exec|attach)\/([^/]+)\/([^/]+)\/([^/]+)$|^\/(portForward)\/([^/]+)\/([^/]+)$/;

interface UpgradeTarget {
  kind: 'exec' | 'attach' | 'portForward';
  url: URL;
  /** namespace, pod and (for exec and attach) container. */
  params: string[];
  stdin: boolean;
  tty: boolean;
}

/** Which upgrade a request asks for; 404 for another path, 400 for a malformed one. */
function parseUpgrade(req: IncomingMessage): UpgradeTarget {
  const { url, params } = parseTarget(req.url, UPGRADES);
  const [kind, ...rest] = params as [UpgradeTarget['kind'], ...string[]];
  return { kind, url, params: rest, stdin: flagOf(url.searchParams, 'stdin'), tty: flagOf(url.searchParams, 'tty') };
}

/**
 * Port-forward: a WebSocket carrying SPDY (what kubectl 1.32 tries first) or a plain SPDY/3.1
 * upgrade (its fallback), to the pod's address (see ./port-forward.ts).
 */
function upgradePortForward(o: EndpointOptions, pfWss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, target: UpgradeTarget): void {
  const [ns, pod] = target.params;
  const refuse = (code: number, message: string) => {
    const body = JSON.stringify(statusBody(code, message));
    socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  const host = o.podIP?.(ns, pod);
  if (!host) return refuse(400, `pod ${ns}/${pod} has no address on this node to forward to`);
  const forwardTarget = { host, pod: `${ns}/${pod}` };
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    pfWss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      servePortForward(stream, forwardTarget, o.log);
    });
    return;
  }
  const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim());
  if (upgrade !== 'spdy/3.1' || !versions.includes(PORT_FORWARD_PROTOCOL)) {
    return refuse(400, `port-forward needs an upgrade to websocket (${PORT_FORWARD_WEBSOCKET_PROTOCOL}) or to SPDY/3.1 with X-Stream-Protocol-Version ${PORT_FORWARD_PROTOCOL}`);
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
  if (head.length) socket.unshift(head);
  servePortForward(socket, forwardTarget, o.log);
}

export async function startEndpoint(o: EndpointOptions): Promise<AgentEndpoint> {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  const pfWss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has(PORT_FORWARD_WEBSOCKET_PROTOCOL) ? PORT_FORWARD_WEBSOCKET_PROTOCOL : false),
  });
  const upgraded = new Set<Duplex>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const refused = clientRefusal(o.tls, req);
    if (refused) return fail(res, 403, refused);
    handle(o, req, res).catch((err: Error) => fail(res, err instanceof EndpointError ? err.code : 500, err.message));
  };
  // Client certificates are required and checked against the cluster CA during the handshake.
  const server: Server = o.tls ? createHttpsServer({ requestCert: true, rejectUnauthorized: true, ca: o.tls.ca, minVersion: 'TLSv1.2' }, onRequest) : createServer(onRequest);
  if (o.tls) server.on('tlsClientError', (err: Error) => o.log(`refused a TLS connection: ${err.message}`));
  server.on('upgrade', (req, socket, head) => {
    // Node takes its own error listener off an upgraded socket: without this one, a client that
    // resets the connection would crash the agent.
    socket.on('error', () => socket.destroy());
    // Upgraded sockets leave the HTTP server's bookkeeping: close() ends them itself.
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const refused = clientRefusal(o.tls, req);
    if (refused) {
      const body = JSON.stringify(statusBody(403, refused));
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    let target: UpgradeTarget;
    try {
      target = parseUpgrade(req);
    } catch (err) {
      const e = err instanceof EndpointError ? err : new EndpointError(400, String(err));
      const body = JSON.stringify(statusBody(e.code, e.message));
      socket.end(`HTTP/1.1 ${e.code} ${e.code === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    if (target.kind === 'portForward') return upgradePortForward(o, pfWss, req, socket, head, target);
    const [ns, pod, container] = target.params;
    const command = target.url.searchParams.getAll('command');
    const { stdin, tty } = target;
    wss.handleUpgrade(req, socket, head, (ws) => {
      // The client may send stdin right after the upgrade, before the exec exists: keep it.
      const early: { data: Buffer; isBinary: boolean }[] = [];
      const keep = (data: Buffer, isBinary: boolean) => early.push({ data, isBinary });
      ws.on('message', keep);
      (async () => {
        if (target.kind === 'exec' && command.length === 0) throw new EndpointError(400, 'you must specify at least one command for the container');
        const c = await findContainer(o.runtime, o.nodeName, { namespace: ns, pod, container }, false);
        if (c.state !== 'running') throw new EndpointError(400, `container ${container} is not running`);
        if (target.kind === 'attach') {
          const session = await o.runtime.attach(c.id, { stdin, tty });
          ws.off('message', keep);
          await bridgeAttach(ws, session, early);
          return;
        }
        const session = await o.runtime.exec(c.id, { command, stdin, tty });
        ws.off('message', keep);
        await bridgeExec(ws, session, command, early);
      })().catch((err: Error) => {
        if (ws.readyState === ws.OPEN) {
          ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(failureStatus(err.message)))]));
          ws.close(1000);
        }
        o.log(`${target.kind} in ${ns}/${pod}/${container} failed: ${err.message}`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const tlsServer = server as unknown as { setSecureContext(o: { cert: string; key: string; ca: string }): void };
  return {
    port: (server.address() as AddressInfo).port,
    setServingCertificate: (pair) => {
      if (!o.tls) throw new Error('the endpoint serves plain HTTP: it has no serving certificate');
      tlsServer.setSecureContext({ cert: pair.cert, key: pair.key, ca: o.tls.ca });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const c of pfWss.clients) c.terminate();
        for (const s of upgraded) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The URL of a request and the decoded path parameters `pattern` captures. A target that is not
 * a URL or whose parameters do not decode is a 400; a path `pattern` does not match is a 404.
 */
export function parseTarget(raw: string | undefined, pattern: RegExp): { url: URL; params: string[] } {
  let url: URL;
  try {
    url = new URL(raw ?? '/', 'http://agent');
  } catch {
    throw new EndpointError(400, `malformed request target: ${JSON.stringify(raw)}`);
  }
  const m = pattern.exec(url.pathname);
  if (!m) throw new EndpointError(404, `no such endpoint: ${url.pathname}`);
  try {
    return { url, params: m.slice(1).filter((p) => p !== undefined).map(decodeURIComponent) };
  } catch {
    throw new EndpointError(400, `malformed path: ${url.pathname}`);
  }
}

async function handle(o: EndpointOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url?.split('?')[0] === '/healthz') {
    res.end('ok');
    return;
  }
  const { url, params } = parseTarget(req.url, LOGS);
  if (req.method !== 'GET') return fail(res, 405, `method ${req.method} is not allowed on ${url.pathname}`);
  const [ns, pod, container] = params;
  const q = url.searchParams;
  const flag = (k: string) => flagOf(q, k);
  const num = (k: string) => {
    const v = q.get(k);
    if (v === null) return undefined;
    // A non-negative int64, as the API server checked it; beyond 2^53 only loses precision.
    if (!/^\+?\d{1,19}$/.test(v) || BigInt(v) >= 2n ** 63n) throw new EndpointError(400, `invalid ${k}: ${v}`);
    return Number(v);
  };
  const c = await findContainer(o.runtime, o.nodeName, { namespace: ns, pod, container }, flag('previous'), o.podObject?.(ns, pod));
  const stream = await o.runtime.logs(c.id, { follow: flag('follow') && c.state === 'running', tailLines: num('tailLines'), sinceSeconds: num('sinceSeconds'), timestamps: flag('timestamps') }).catch((err: Error) => {
    // Found, then removed before its logs were read: the pod moved on (a restart, a deletion).
    throw err instanceof ContainerGoneError ? new EndpointError(404, `container "${container}" in pod "${pod}" was removed before its logs could be read`) : err;
  });
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  res.on('close', () => stream.destroy()); // req 'close' fires once the request is read
  stream.on('error', () => res.end());
  stream.pipe(res);
}

/** A boolean query parameter as Go's strconv.ParseBool reads it (absent or empty: false); 400 otherwise. */
function flagOf(q: URLSearchParams, k: string): boolean {
  const v = q.get(k);
  if (v === null || v === '') return false;
  const b = parseBool(v);
  if (b === undefined) throw new EndpointError(400, `invalid ${k}: ${parseBoolError(v)}`);
  return b;
}

function fail(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(statusBody(code, message));
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const REASONS: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 500: 'InternalError' };

function statusBody(code: number, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'BadRequest', code };
}
