// pods/log, exec, attach and portforward are served by the node agent of the pod's node; the API server only
// finds the agent and relays. The contract, for the agent to implement:
//
// - The agent advertises itself in its Node object: `status.daemonEndpoints.kubeletEndpoint.Port`
//   and an address of type `InternalIP` in `status.addresses` (as a kubelet does).
// - The scheme: HTTPS with client certificates both ways when the API server serves TLS, plain
//   HTTP for a plain-HTTP test server (./agent-connection.ts, ADR 0019).
// - Logs: the API server sends
//     GET https://<InternalIP>:<Port>/containerLogs/<namespace>/<pod>/<container>
//         ?follow=true|false&tailLines=N&sinceSeconds=N&timestamps=true|false&previous=true|false&limitBytes=N
//   (only the parameters the client gave) and streams the answer back unchanged: 200 with
//   `text/plain` log lines (kept open while following), or an error with a Status JSON body,
//   whose code and body are relayed as they are.
// - Exec, attach and port-forward: the agent serves
//     GET http://<InternalIP>:<Port>/exec/<namespace>/<pod>/<container>?command=..&command=..&stdin=..&stdout=..&stderr=..&tty=..
//     GET http://<InternalIP>:<Port>/attach/<namespace>/<pod>/<container>?stdin=..&stdout=..&stderr=..&tty=..
//   upgraded to WebSocket (`v5.channel.k8s.io` / `v4.channel.k8s.io`), and
//     GET http://<InternalIP>:<Port>/portForward/<namespace>/<pod>
//   upgraded to a WebSocket tunnelling SPDY (`SPDY/3.1+portforward.k8s.io`, what kubectl 1.32
//   tries first) or to SPDY/3.1 (`X-Stream-Protocol-Version: portforward.k8s.io`, its fallback).
//   The API server takes kubectl's upgrade request for pods/<name>/{exec,attach,portforward} on
//   the HTTP server's 'upgrade' event (fastify never sees it), checks the pod, container and
//   parameters, opens the same upgrade to the agent with the client's Upgrade, WebSocket and
//   X-Stream-Protocol-Version headers, and once the agent answers 101 splices the two sockets
//   together: frames pass through untouched. A request without an upgrade is 400.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject } from '@skiff/api';
import { ApiError, badRequest, notFoundPath, serviceUnavailable } from '../errors/status.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { ServerContext } from './context.ts';
import { queryOf } from './query.ts';
import { boolParam } from './bool-param.ts';
import { paramsOf } from './common.ts';
import { checkPodLogOptions } from './log-options.ts';
import { authFailureRefusal, unauthorized } from '../auth/authenticate.ts';
import { auditUpgrade } from '../audit/audit.ts';
import { setRequestUser } from '../auth/user.ts';
import { authorizeRequest } from '../authz/register.ts';
import { agentRequest } from './agent-connection.ts';

const LOG_PARAMS = ['follow', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'previous', 'limitBytes'];

/** The agent endpoint of a node, if it advertises one. */
export function agentEndpoint(node: KubeObject | undefined): { host: string; port: number } | undefined {
  const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const addr = (node?.status?.addresses as { type: string; address: string }[] | undefined)?.find((a) => a.type === 'InternalIP')?.address;
  if (!port || !addr) return undefined;
  return { host: addr, port: Number(port) };
}

/** The container a log/exec request means: the named one, or the only one. */
export function containerOf(pod: KubeObject, requested: string | undefined): string {
  const names: string[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c: { name: string }) => c.name);
  const podName = pod.metadata.name;
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  const main: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  if (main.length === 1) return main[0];
  throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${main.join(' ')}]`);
}

async function boundPod(ctx: ServerContext, store: ResourceStore, req: FastifyRequest): Promise<{ pod: KubeObject; nodeName: string; endpoint: { host: string; port: number } }> {
  const { namespace, name } = paramsOf(req);
  const pod = await store.get(namespace, name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const node = await ctx.storage.get({ resource: 'nodes', namespace: '', name: nodeName });
  const endpoint = agentEndpoint(node);
  if (!endpoint) throw serviceUnavailable(`no node agent endpoint for node "${nodeName}": its status.daemonEndpoints.kubeletEndpoint.Port or InternalIP address is not set`);
  return { pod, nodeName, endpoint };
}

export async function serveLogs(ctx: ServerContext, store: ResourceStore, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const q = queryOf(req);
  checkPodLogOptions(q, paramsOf(req).name);
  const { pod, nodeName, endpoint } = await boundPod(ctx, store, req);
  const container = containerOf(pod, q.container);
  const params = new URLSearchParams();
  for (const k of LOG_PARAMS) if (q[k] !== undefined) params.set(k, q[k]!);
  const qs = params.toString();
  const path = `/containerLogs/${encodeURIComponent(pod.metadata.namespace!)}/${encodeURIComponent(pod.metadata.name!)}/${encodeURIComponent(container)}${qs ? `?${qs}` : ''}`;
  reply.hijack();
  const res = reply.raw;
  const upstream = agentRequest(ctx.agentTls, endpoint, nodeName, { path, method: 'GET' });
  upstream.on('response', (up) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-cache, private', 'Content-Type': String(up.headers['content-type'] ?? 'text/plain') };
    res.writeHead(up.statusCode ?? 502, headers);
    res.flushHeaders();
    up.pipe(res);
    up.on('error', () => res.destroy());
  });
  upstream.on('error', (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = serviceUnavailable(`error reaching the node agent at ${endpoint.host}:${endpoint.port}: ${err.message}`).toStatus();
    res.writeHead(503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.end(JSON.stringify(status));
  });
  // The client leaving (kubectl logs -f interrupted) ends the upstream request too.
  res.on('close', () => upstream.destroy());
  upstream.end();
  return reply;
}

/** exec, attach or portforward without an Upgrade header: skiff relays only upgraded connections. */
export async function serveUpgradeOnly(ctx: ServerContext, store: ResourceStore, req: FastifyRequest, sub: 'exec' | 'attach' | 'portforward'): Promise<never> {
  const q = queryOf(req);
  const { pod } = await boundPod(ctx, store, req);
  if (sub !== 'portforward') containerOf(pod, q.container);
  const how = sub === 'portforward' ? `a WebSocket upgrade (Sec-WebSocket-Protocol SPDY/3.1+portforward.k8s.io) or an upgrade to SPDY/3.1` : 'a WebSocket upgrade (Sec-WebSocket-Protocol v5.channel.k8s.io or v4.channel.k8s.io); SPDY is not supported';
  throw badRequest(`${sub} needs ${how}`);
}

const UPGRADE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;
const FORWARDED_HEADERS = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version'];

function rejectUpgrade(socket: Duplex, err: unknown): void {
  const e =
    err instanceof ApiError ? err : err instanceof URIError || (err as { code?: string })?.code === 'ERR_INVALID_URL' ? badRequest(`malformed request target: ${(err as Error).message}`) : serviceUnavailable((err as Error)?.message ?? String(err));
  const body = JSON.stringify(e.toStatus());
  const reason = e.code === 404 ? 'Not Found' : e.code === 400 ? 'Bad Request' : e.code === 401 ? 'Unauthorized' : e.code === 403 ? 'Forbidden' : e.code === 503 ? 'Service Unavailable' : 'Error';
  socket.end(
    `HTTP/1.1 ${e.code} ${reason}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Relays pods/<name>/{exec,attach,portforward} upgrades to the pod's node agent (see the contract above). */
export function registerExecUpgrade(server: Server, ctx: ServerContext): { close(): void } {
  // Upgraded sockets leave the HTTP server's bookkeeping: closed here when the server closes.
  const open = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    if (ctx.audit) auditUpgrade(ctx.audit, req, socket);
    const refusal = authFailureRefusal(req, ctx.authFailures);
    if (refusal) return rejectUpgrade(socket, refusal);
    void authenticated(ctx, req).then(
      (ok) => {
        if (!ok) return rejectUpgrade(socket, unauthorized());
        ctx.audit?.received(req);
        // Upgrades bypass fastify's hooks: impersonation and authorization here too (create on pods/exec...).
        const denied = authorizeRequest(ctx.authorizer, req);
        return denied ? rejectUpgrade(socket, denied) : relayUpgrade(ctx, req, socket, head);
      },
      (err: unknown) => rejectUpgrade(socket, err),
    );
  });
  return {
    close() {
      for (const s of open) s.destroy();
    },
  };
}

/** Upgrades bypass fastify's hooks: authenticate here, as the onRequest hook does for the rest. */
async function authenticated(ctx: ServerContext, req: IncomingMessage): Promise<boolean> {
  const r = await ctx.authenticator.authenticate(req);
  if (!r.user && r.failed) ctx.authFailures?.failed(req.socket.remoteAddress ?? '');
  if (!r.user) return false;
  setRequestUser(req, r.user);
  return true;
}

/** The agent's path for an upgrade: its parameters are checked here, so a bad request never leaves the API server. */
function agentUpgradePath(pod: KubeObject, sub: string, q: URLSearchParams): string {
  const ns = encodeURIComponent(pod.metadata.namespace!);
  const name = encodeURIComponent(pod.metadata.name!);
  if (sub === 'portforward') {
    // kubectl names the ports it will forward; each stream names its port again.
    for (const p of q.getAll('ports')) {
      for (const one of p.split(',')) {
        if (!/^\d{1,5}$/.test(one) || Number(one) < 1 || Number(one) > 65535) throw badRequest(`invalid port: ${JSON.stringify(one)}: ports must be 1-65535`);
      }
    }
    return `/portForward/${ns}/${name}`;
  }
  const container = containerOf(pod, q.get('container') ?? undefined);
  for (const flag of ['stdin', 'stdout', 'stderr', 'tty']) boolParam(q.get(flag) ?? undefined, flag);
  const params = new URLSearchParams();
  for (const [k, v] of q) if (k !== 'container') params.append(k, v);
  return `/${sub}/${ns}/${name}/${encodeURIComponent(container)}?${params}`;
}

async function relayUpgrade(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://apiserver');
    const m = UPGRADE_PATH.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'POST')) throw notFoundPath();
    const [namespace, name, sub] = [decodeURIComponent(m[1]), decodeURIComponent(m[2]), m[3]];
    const store = ctx.stores.get('pods')!;
    const pod = await store.get(namespace, name);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw badRequest(`cannot ${sub === 'portforward' ? 'port-forward to' : `${sub} into`} a container in a completed pod; current phase is ${phase}`);
    const endpoint = agentEndpoint(await ctx.storage.get({ resource: 'nodes', namespace: '', name: nodeName }));
    if (!endpoint) throw serviceUnavailable(`no node agent endpoint for node "${nodeName}"`);
    const path = agentUpgradePath(pod, sub, url.searchParams);
    // A WebSocket (exec, attach, port-forward tunnelling SPDY) or SPDY/3.1 (port-forward's fallback).
    const upgrade = String(req.headers.upgrade ?? '');
    if (!/^(websocket|spdy\/3\.1)$/i.test(upgrade)) throw badRequest(`${sub} needs an upgrade to websocket${sub === 'portforward' ? ' or SPDY/3.1' : ''}, not ${JSON.stringify(upgrade)}`);
    const headers: Record<string, string> = { Connection: 'Upgrade', Upgrade: upgrade };
    for (const h of FORWARDED_HEADERS) {
      const v = req.headers[h];
      if (v !== undefined) headers[h] = Array.isArray(v) ? v.join(', ') : v;
    }
    const upstream = agentRequest(ctx.agentTls, endpoint, nodeName, { path, method: 'GET', headers });
    upstream.on('upgrade', (res, upSocket, upHead) => {
      let out = `HTTP/1.1 101 Switching Protocols\r\n`;
      for (let i = 0; i < res.rawHeaders.length; i += 2) out += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
      socket.write(out + '\r\n');
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
    });
    upstream.on('response', (res) => {
      // The agent refused the upgrade: relay its answer.
      let out = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nConnection: close\r\n`;
      for (let i = 0; i < res.rawHeaders.length; i += 2) if (!/^(connection|transfer-encoding)$/i.test(res.rawHeaders[i])) out += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        socket.end(Buffer.concat([Buffer.from(`${out}Content-Length: ${body.length}\r\n\r\n`), body]));
      });
    });
    upstream.on('error', (err) => rejectUpgrade(socket, serviceUnavailable(`error reaching the node agent at ${endpoint.host}:${endpoint.port}: ${err.message}`)));
    socket.on('close', () => upstream.destroy());
    upstream.end();
  } catch (err) {
    rejectUpgrade(socket, err);
  }
}
