// A small but real HTTP API server for tests: Kubernetes' REST paths and wire format (lists with
// limit/continue, chunked watches with ?watch=true&resourceVersion=N, BOOKMARK, 410 Expired, Status
// errors) over in-memory storage, plus levers tests need: compact history, drop watch connections,
// go down and come back on the same port.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resourceByPlural, type KubeObject, type ResourceInfo } from '@skiff/api';
import { ApiError } from '../errors.ts';
import { compileFieldSelector, compileLabelSelector } from './selectors.ts';
import { FakeStore, conflict, notFound, objectKey, resKeyOf, statusError, type Change } from './fake-store.ts';

export interface FakeApiServerOptions {
  port?: number;
  /** Changes kept for watches to replay; older versions answer 410. */
  historyLimit?: number;
  /** Send BOOKMARK events this often to watchers that allow them (0 = only on `sendBookmarks()`). */
  bookmarkIntervalMs?: number;
}

interface Route {
  res: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface Watcher {
  route: Route;
  matches: (obj: KubeObject) => boolean;
  bookmarks: boolean;
  response: http.ServerResponse;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };

export class FakeApiServer {
  readonly store: FakeStore;
  /** Requests served, by `METHOD path-without-query`. */
  readonly requests: string[] = [];
  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly watchers = new Set<Watcher>();
  private readonly snapshots = new Map<string, { rv: number; items: KubeObject[] }>();
  private port = 0;
  private bookmarkTimer?: NodeJS.Timeout;
  private snapshotSeq = 0;

  private constructor(opts: FakeApiServerOptions) {
    this.store = new FakeStore(opts.historyLimit);
    this.store.subscribe((c) => this.broadcast(c));
    this.server = this.newServer();
    if (opts.bookmarkIntervalMs) {
      this.bookmarkTimer = setInterval(() => this.sendBookmarks(), opts.bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(opts);
    await s.listen(opts.port ?? 0);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get activeWatches(): number {
    return this.watchers.size;
  }

  /** Ends every watch stream abruptly (the TCP connection is destroyed mid-stream). */
  dropWatches(): void {
    for (const w of this.watchers) w.response.destroy();
    this.watchers.clear();
  }

  /** Forgets history (and open list snapshots): older resourceVersions now answer 410. */
  compact(): void {
    this.store.compact();
    this.snapshots.clear();
  }

  sendBookmarks(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.send(w, 'BOOKMARK', { apiVersion: '', kind: w.route.res.kind, metadata: { resourceVersion: String(this.store.currentRv) } });
    }
  }

  /** Goes down: stops listening and destroys every connection. State is kept. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.watchers.clear();
    await closed;
  }

  /** Comes back on the same port after `stop()`. */
  async resume(): Promise<void> {
    this.server = this.newServer();
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    if (this.server.listening) await this.stop();
  }

  private newServer(): http.Server {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => this.fail(res, err));
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    const q = url.searchParams;
    if (url.pathname === '/version') return this.reply(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0-skiff-fake' });
    const route = parsePath(url.pathname);
    if (!route) throw statusError(404, 'NotFound', 'the server could not find the requested resource');
    const { res: r, namespace: ns, name, subresource: sub } = route;
    const body = await readJson(req);

    switch (req.method) {
      case 'GET':
        if (name === undefined) return q.get('watch') === 'true' || q.get('watch') === '1' ? this.watch(route, q, res) : this.list(route, q, res);
        if (sub === 'scale') return this.reply(res, 200, toScale(this.mustGet(route)));
        if (sub && sub !== 'status') throw statusError(404, 'NotFound', 'the server could not find the requested resource');
        return this.reply(res, 200, this.mustGet(route));
      case 'POST':
        if (name === undefined) {
          const obj = body as KubeObject;
          if (obj?.metadata?.namespace && ns && obj.metadata.namespace !== ns) {
            throw statusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
          }
          const meta = { ...obj?.metadata, namespace: r.scope === 'Namespaced' ? ns : undefined };
          return this.reply(res, 201, this.store.create(r, { ...obj, metadata: meta }, { dryRun: q.get('dryRun') === 'All' }));
        }
        if (sub === 'binding') return this.bind(route, body as KubeObject, res);
        break;
      case 'PUT':
        if (name === undefined) break;
        if (sub === 'scale') return this.reply(res, 200, toScale(this.store.update(r, ns, name, (cur) => ({ ...cur, metadata: { ...cur.metadata, resourceVersion: (body as KubeObject).metadata?.resourceVersion }, spec: { ...cur.spec, replicas: (body as KubeObject).spec?.replicas } }))));
        return this.reply(res, 200, this.store.update(r, ns, name, (cur) => withSubresource(cur, body as KubeObject, r, sub)));
      case 'PATCH': {
        if (name === undefined) break;
        const type = req.headers['content-type'] ?? '';
        if (!/merge-patch\+json|apply-patch/.test(type)) throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml`);
        if (type.includes('apply-patch') && !this.store.get(r, ns, name)) {
          return this.reply(res, 201, this.store.create(r, { ...(body as KubeObject), metadata: { ...(body as KubeObject).metadata, name, namespace: ns } }));
        }
        if (sub === 'scale') {
          return this.reply(res, 200, toScale(this.store.update(r, ns, name, (cur) => ({ ...cur, spec: { ...cur.spec, replicas: (body as KubeObject).spec?.replicas ?? cur.spec?.replicas } }))));
        }
        const patched = this.store.update(r, ns, name, (cur) => withSubresource(cur, mergePatch(cur, body) as KubeObject, r, sub));
        return this.reply(res, 200, patched);
      }
      case 'DELETE': {
        if (name === undefined) break;
        const gone = this.store.delete(r, ns, name, (body as { preconditions?: object } | undefined)?.preconditions);
        return this.reply(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: r.group || undefined, kind: r.plural, uid: gone.metadata.uid } });
      }
    }
    throw statusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  private mustGet(route: Route): KubeObject {
    const obj = this.store.get(route.res, route.namespace, route.name!);
    if (!obj) throw notFound(route.res, route.name!);
    return obj;
  }

  private list(route: Route, q: URLSearchParams, res: http.ServerResponse): void {
    const token = q.get('continue');
    let snap: { rv: number; items: KubeObject[] } | undefined;
    let offset = 0;
    let id: string;
    if (token) {
      [id, offset] = decodeContinue(token);
      snap = this.snapshots.get(id);
      if (!snap) throw statusError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    } else {
      const matches = compileMatcher(q);
      id = String(++this.snapshotSeq);
      snap = { rv: this.store.currentRv, items: this.store.list(route.res, route.namespace).filter(matches) };
    }
    const limit = Number(q.get('limit') ?? 0);
    const items = limit > 0 ? snap.items.slice(offset, offset + limit) : snap.items.slice(offset);
    const next = offset + items.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(snap.rv) };
    if (next < snap.items.length) {
      this.snapshots.set(id, snap);
      metadata.continue = Buffer.from(JSON.stringify([id, next])).toString('base64url');
      metadata.remainingItemCount = snap.items.length - next;
    } else this.snapshots.delete(id);
    this.reply(res, 200, { kind: route.res.listKind, apiVersion: apiVersion(route.res), metadata, items });
  }

  private watch(route: Route, q: URLSearchParams, res: http.ServerResponse): void {
    const w: Watcher = { route, matches: compileMatcher(q), bookmarks: q.get('allowWatchBookmarks') === 'true', response: res };
    res.writeHead(200, { ...JSON_HEADERS, 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = q.get('resourceVersion');
    if (!from || from === '0') {
      for (const obj of this.store.list(route.res, route.namespace)) if (w.matches(obj)) this.send(w, 'ADDED', obj);
    } else {
      const changes = this.store.changesSince(Number(from));
      if (!changes) {
        this.send(w, 'ERROR', statusError(410, 'Expired', `too old resource version: ${from} (${this.store.currentRv})`).status);
        res.end();
        return;
      }
      for (const c of changes) this.deliver(w, c);
    }
    this.watchers.add(w);
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(w);
    });
  }

  private broadcast(c: Change): void {
    for (const w of this.watchers) this.deliver(w, c);
  }

  /** Sends a change as a watcher of this resource/namespace/selector sees it. */
  private deliver(w: Watcher, c: Change): void {
    if (c.resKey !== resKeyOf(w.route.res)) return;
    if (w.route.namespace && c.obj.metadata.namespace !== w.route.namespace) return;
    const now = c.type !== 'DELETED' && w.matches(c.obj);
    const before = c.type === 'DELETED' ? w.matches(c.obj) : c.prev !== undefined && w.matches(c.prev);
    if (now && before) this.send(w, 'MODIFIED', c.obj);
    else if (now) this.send(w, 'ADDED', c.obj);
    else if (before) this.send(w, 'DELETED', c.obj);
  }

  private send(w: Watcher, type: string, object: unknown): void {
    if (!w.response.destroyed) w.response.write(JSON.stringify({ type, object }) + '\n');
  }

  private bind(route: Route, binding: KubeObject, res: http.ServerResponse): void {
    const node = (binding as { target?: { name?: string } }).target?.name;
    if (!node) throw statusError(422, 'Invalid', 'Binding is invalid: target.name: Required value');
    this.store.update(route.res, route.namespace, route.name!, (pod) => {
      if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) throw conflict(route.res, route.name!, 'Precondition failed: UID mismatch');
      if (pod.spec?.nodeName) throw conflict(route.res, route.name!, `pod ${route.name} is already assigned to node "${pod.spec.nodeName}"`);
      return { ...pod, spec: { ...pod.spec, nodeName: node } };
    });
    this.reply(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private reply(res: http.ServerResponse, code: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    const status = err instanceof ApiError ? err.status : statusError(500, 'InternalError', String((err as Error)?.stack ?? err)).status;
    if (res.headersSent) return void res.destroy();
    this.reply(res, status.code ?? 500, status);
  }
}

/** `/api/v1/namespaces/NS/pods/NAME/status` -> route; namespaces themselves are cluster-scoped. */
function parsePath(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') [group, rest] = ['', parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, rest] = [parts[1], parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && resourceByPlural(group, rest[2])?.scope === 'Namespaced') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const res = resourceByPlural(group, rest[0] ?? '');
  if (!res || rest.length > 3) return undefined;
  return { res, namespace, name: rest[1], subresource: rest[2] };
}

function compileMatcher(q: URLSearchParams): (obj: KubeObject) => boolean {
  try {
    const labels = compileLabelSelector(q.get('labelSelector') ?? undefined);
    const fields = compileFieldSelector(q.get('fieldSelector') ?? undefined);
    return (o) => labels(o) && fields(o);
  } catch (err) {
    throw statusError(400, 'BadRequest', (err as Error).message);
  }
}

function decodeContinue(token: string): [string, number] {
  try {
    const [id, offset] = JSON.parse(Buffer.from(token, 'base64url').toString());
    return [String(id), Number(offset)];
  } catch {
    throw statusError(400, 'BadRequest', 'invalid continue token');
  }
}

function apiVersion(res: ResourceInfo): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** PUT on the main resource keeps the stored status; PUT on /status changes only the status. */
function withSubresource(current: KubeObject, incoming: KubeObject, res: ResourceInfo, sub: string | undefined): KubeObject {
  if (sub === 'status') return { ...current, status: incoming.status, metadata: { ...current.metadata, resourceVersion: incoming.metadata?.resourceVersion } };
  if (res.subresources.includes('status')) return { ...incoming, status: current.status };
  return incoming;
}

function toScale(obj: KubeObject): KubeObject {
  const sel = (obj.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') },
  };
}

/** RFC 7386 JSON merge patch: objects merge key by key, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete base[k];
    else base[k] = mergePatch(base[k], v);
  }
  return base;
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(statusError(400, 'BadRequest', 'invalid JSON in request body'));
      }
    });
  });
}

