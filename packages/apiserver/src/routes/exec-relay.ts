// pods/exec over WebSocket: the API server finds the pod's node agent and relays the upgraded
// connection to it byte for byte (the agent speaks v5/v4.channel.k8s.io; see node-proxy.ts for the
// contract). Upgrades bypass fastify: Node hands a request with `Upgrade:` to the server's
// 'upgrade' listener together with the raw socket, which is what a relay needs.
import type { Server } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest, serviceUnavailable } from '../errors/status.ts';
import type { ServerContext } from './context.ts';
import { agentEndpoint, containerOf } from './node-proxy.ts';

const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;
/** Request headers the agent needs to complete the WebSocket handshake. */
const FORWARDED = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'user-agent'];

export function registerExecRelay(server: Server, ctx: ServerContext): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      relay(ctx, req, socket, head);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', (err as Error).message);
      refuse(socket, e);
    }
  });
}

function relay(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://apiserver');
  const m = EXEC_PATH.exec(url.pathname);
  if (!m) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (upgrade of ${url.pathname})`);
  const [namespace, name] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
  const pod = ctx.storage.get({ resource: 'pods', namespace, name });
  if (!pod) throw new ApiError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
  const container = containerOf(pod, url.searchParams.get('container') ?? undefined);
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
  const endpoint = agentEndpoint(ctx.storage.get({ resource: 'nodes', namespace: '', name: nodeName }));
  if (!endpoint) throw serviceUnavailable(`no node agent endpoint for node "${nodeName}"`);

  const params = new URLSearchParams(url.searchParams);
  params.delete('container');
  const path = `/exec/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${params}`;
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${endpoint.host}:${endpoint.port}`];
  for (const h of FORWARDED) {
    const v = req.headers[h];
    if (v !== undefined) lines.push(`${h}: ${Array.isArray(v) ? v.join(', ') : v}`);
  }
  const upstream: Socket = connect({ host: endpoint.host, port: endpoint.port });
  upstream.once('connect', () => {
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.once('error', (err) => {
    if (upstream.bytesRead === 0) refuse(socket, serviceUnavailable(`error reaching the node agent at ${endpoint.host}:${endpoint.port}: ${err.message}`));
    else socket.destroy();
  });
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => socket.destroy());
}

/** Answers a refused upgrade with a plain HTTP response carrying a Status, then closes. */
function refuse(socket: Duplex, e: ApiError): void {
  const body = JSON.stringify(e.toStatus());
  socket.end(
    `HTTP/1.1 ${e.code} ${e.reason}\r\nContent-Type: application/json\r\nCache-Control: no-cache, private\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
