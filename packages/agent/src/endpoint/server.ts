// The agent's own HTTP endpoint (the part of the kubelet API skiff needs): container logs and
// exec, reached by the API server's pods/log and pods/exec subresources through the Node's
// status.daemonEndpoints.kubeletEndpoint.Port on its InternalIP.
//   GET /healthz
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&tailLines&sinceSeconds&timestamps&previous
//   GET /exec/{namespace}/{pod}/{container}?command=..&command=..&stdin&stdout&stderr&tty  (WebSocket)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ContainerRuntime } from '../runtime/types.ts';
import { bridgeExec, EXEC_PROTOCOLS, failureStatus } from './exec-session.ts';
import { EndpointError, findContainer } from './find-container.ts';

export interface EndpointOptions {
  runtime: ContainerRuntime;
  /** Serve this node's containers only (by their node label). */
  nodeName: string;
  host: string;
  port: number;
  log(message: string): void;
}

export interface AgentEndpoint {
  port: number;
  close(): Promise<void>;
}

const LOGS = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/;
const EXEC = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/;

export async function startEndpoint(o: EndpointOptions): Promise<AgentEndpoint> {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  const server: Server = createServer((req, res) => {
    handle(o, req, res).catch((err: Error) => fail(res, err instanceof EndpointError ? err.code : 500, err.message));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const m = EXEC.exec(url.pathname);
    if (!m) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
    const command = url.searchParams.getAll('command');
    const stdin = url.searchParams.get('stdin') === 'true' || url.searchParams.get('stdin') === '1';
    const tty = url.searchParams.get('tty') === 'true' || url.searchParams.get('tty') === '1';
    wss.handleUpgrade(req, socket, head, (ws) => {
      // The client may send stdin right after the upgrade, before the exec exists: keep it.
      const early: { data: Buffer; isBinary: boolean }[] = [];
      const keep = (data: Buffer, isBinary: boolean) => early.push({ data, isBinary });
      ws.on('message', keep);
      (async () => {
        if (command.length === 0) throw new EndpointError(400, 'you must specify at least one command for the container');
        const c = await findContainer(o.runtime, o.nodeName, ns, pod, container, false);
        if (c.state !== 'running') throw new EndpointError(400, `container ${container} is not running`);
        const session = await o.runtime.exec(c.id, { command, stdin, tty });
        ws.off('message', keep);
        await bridgeExec(ws, session, command, early);
      })().catch((err: Error) => {
        if (ws.readyState === ws.OPEN) {
          ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(failureStatus(err.message)))]));
          ws.close(1000);
        }
        o.log(`exec in ${ns}/${pod}/${container} failed: ${err.message}`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(o: EndpointOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://agent');
  if (url.pathname === '/healthz') {
    res.end('ok');
    return;
  }
  const m = LOGS.exec(url.pathname);
  if (!m || req.method !== 'GET') return fail(res, 404, `no such endpoint: ${req.method} ${url.pathname}`);
  const [ns, pod, container] = m.slice(1).map(decodeURIComponent);
  const q = url.searchParams;
  const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
  const num = (k: string) => {
    const v = q.get(k);
    if (v === null) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new EndpointError(400, `invalid ${k}: ${v}`);
    return n;
  };
  const c = await findContainer(o.runtime, o.nodeName, ns, pod, container, flag('previous'));
  const stream = await o.runtime.logs(c.id, { follow: flag('follow') && c.state === 'running', tailLines: num('tailLines'), sinceSeconds: num('sinceSeconds'), timestamps: flag('timestamps') });
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  res.on('close', () => stream.destroy()); // req 'close' fires once the request is read
  stream.on('error', () => res.end());
  stream.pipe(res);
}

function fail(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: code === 404 ? 'NotFound' : 'BadRequest', code }));
}
