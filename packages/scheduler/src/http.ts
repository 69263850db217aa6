// The scheduler's own HTTP endpoint: /healthz, /metrics (Prometheus text) and
// /explain/{namespace}/{pod} (the last attempt's explanation as JSON, for `skiff explain`).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExplanationJSON } from './explain.ts';
import type { SchedulerMetrics } from './metrics.ts';

export interface EndpointDeps {
  metrics: SchedulerMetrics;
  explain(namespace: string, name: string): ExplanationJSON | undefined;
  healthy(): boolean;
}

function send(res: http.ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-cache' });
  res.end(body);
}

export function buildEndpoint(deps: EndpointDeps): http.Server {
  return http.createServer((req, res) => {
    void handle(deps, req, res).catch((err) => send(res, 500, 'text/plain', String(err)));
  });
}

async function handle(deps: EndpointDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (path === '/healthz') return deps.healthy() ? send(res, 200, 'text/plain', 'ok\n') : send(res, 503, 'text/plain', 'not healthy\n');
  if (path === '/metrics') return send(res, 200, deps.metrics.registry.contentType, await deps.metrics.registry.metrics());
  const m = /^\/explain\/([^/]+)\/([^/]+)$/.exec(path);
  if (m) {
    const [ns, name] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
    const e = deps.explain(ns, name);
    if (!e) return send(res, 404, 'application/json', JSON.stringify({ message: `no scheduling attempt recorded for pod ${ns}/${name}` }) + '\n');
    return send(res, 200, 'application/json', JSON.stringify(e) + '\n');
  }
  send(res, 404, 'text/plain', 'not found\n');
}

export async function listen(server: http.Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}
