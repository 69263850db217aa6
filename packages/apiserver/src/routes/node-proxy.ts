// pods/log and pods/exec are served by the node agent of the pod's node; the API server only
// finds the agent and relays. The contract, for the agent to implement:
//
// - The agent advertises itself in its Node object: `status.daemonEndpoints.kubeletEndpoint.Port`
//   and an address of type `InternalIP` in `status.addresses` (as a kubelet does).
// - Logs: the API server sends
//     GET http://<InternalIP>:<Port>/containerLogs/<namespace>/<pod>/<container>
//         ?follow=true|false&tailLines=N&sinceSeconds=N&timestamps=true|false&previous=true|false&limitBytes=N
//   (only the parameters the client gave) and streams the answer back unchanged: 200 with
//   `text/plain` log lines (kept open while following), or an error with a Status JSON body,
//   whose code and body are relayed as they are.
// - Exec (not relayed yet): the agent will serve
//     GET http://<InternalIP>:<Port>/exec/<namespace>/<pod>/<container>?command=..&stdin=..&stdout=..&stderr=..&tty=..
//   upgraded to WebSocket with the `v5.channel.k8s.io` protocol; until then the API server
//   answers 503 ServiceUnavailable.
import { request as httpRequest } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject } from '@skiff/api';
import { ApiError, badRequest, serviceUnavailable } from '../errors/status.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { ServerContext } from './context.ts';
import { queryOf } from './query.ts';
import { paramsOf } from './common.ts';

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
  const names: string[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c: { name: string }) => c.name);
  const podName = pod.metadata.name;
  if (requested) {
    if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  const main: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  if (main.length === 1) return main[0];
  throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${main.join(' ')}]`);
}

function boundPod(ctx: ServerContext, store: ResourceStore, req: FastifyRequest): { pod: KubeObject; endpoint: { host: string; port: number } } {
  const { namespace, name } = paramsOf(req);
  const pod = store.get(namespace, name);
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const node = ctx.storage.get({ resource: 'nodes', namespace: '', name: nodeName });
  const endpoint = agentEndpoint(node);
  if (!endpoint) throw serviceUnavailable(`no node agent endpoint for node "${nodeName}": its status.daemonEndpoints.kubeletEndpoint.Port or InternalIP address is not set`);
  return { pod, endpoint };
}

export function serveLogs(ctx: ServerContext, store: ResourceStore, req: FastifyRequest, reply: FastifyReply): void {
  const q = queryOf(req);
  const { pod, endpoint } = boundPod(ctx, store, req);
  const container = containerOf(pod, q.container);
  const params = new URLSearchParams();
  for (const k of LOG_PARAMS) if (q[k] !== undefined) params.set(k, q[k]!);
  const qs = params.toString();
  const path = `/containerLogs/${encodeURIComponent(pod.metadata.namespace!)}/${encodeURIComponent(pod.metadata.name!)}/${encodeURIComponent(container)}${qs ? `?${qs}` : ''}`;
  reply.hijack();
  const res = reply.raw;
  const upstream = httpRequest({ host: endpoint.host, port: endpoint.port, path, method: 'GET' }, (up) => {
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
}

export function serveExec(ctx: ServerContext, store: ResourceStore, req: FastifyRequest, _reply: FastifyReply): void {
  const q = queryOf(req);
  const { pod } = boundPod(ctx, store, req);
  containerOf(pod, q.container);
  throw new ApiError(503, 'ServiceUnavailable', `exec is not available yet: the API server does not relay exec streams to node agents`);
}
