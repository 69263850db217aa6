// HTTP transport over node:http(s) with keep-alive agents. Measured against fetch (see
// bench/get-bench.ts): node:http is markedly faster for many small requests. Long-lived watch
// streams get their own agent so they never occupy the sockets of ordinary requests.
import http from 'node:http';
import https from 'node:https';
import { apiErrorFromResponse } from './errors.ts';
import { planFailover, ServerPool } from './servers.ts';

export interface TransportOptions {
  /**
   * Base URL, e.g. `http://127.0.0.1:6443`; or several API servers separated by commas, tried in
   * turn when one fails at the connection level (ADR 0012).
   */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  userAgent?: string;
  /** Per-request deadline for non-watch requests; default 30 s. */
  timeoutMs?: number;
  /** Cap on concurrent non-watch connections (requests beyond it queue); default 32. */
  maxConnections?: number;
  /** PEM CA bundle for https servers. */
  ca?: string | Buffer;
  /** PEM client certificate and key (authentication by client certificate, over https). */
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify?: boolean;
  /** More headers for every request (a joining agent's node password). */
  headers?: Record<string, string>;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path plus query string. */
  path: string;
  body?: string;
  contentType?: string;
  /** Default application/json (e.g. the Table form of a list). */
  accept?: string;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: string;
}

/** Methods that are safe to resend when a kept-alive socket turned out to be closed. */
const RETRYABLE = new Set(['GET', 'PUT', 'DELETE']);

export class Transport {
  readonly servers: ServerPool;
  private agent: http.Agent;
  private streamAgent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly opts: TransportOptions;

  constructor(opts: TransportOptions) {
    this.opts = opts;
    this.servers = new ServerPool(opts.server);
    if (this.secure && this.servers.urls.some((u) => u.protocol !== 'https:')) throw new Error('API servers must all be https:// or all http://');
    [this.agent, this.streamAgent] = this.makeAgents(opts.cert, opts.key);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.headers = { ...opts.headers, accept: 'application/json', 'user-agent': opts.userAgent ?? 'skiff-client/0.1' };
    if (opts.token) this.headers.authorization = `Bearer ${opts.token}`;
  }

  private get secure(): boolean {
    return this.servers.urls.some((u) => u.protocol === 'https:');
  }

  private makeAgents(cert: string | Buffer | undefined, key: string | Buffer | undefined): [http.Agent, http.Agent] {
    const tls = this.secure ? { ca: this.opts.ca, cert, key, rejectUnauthorized: !this.opts.insecureSkipTlsVerify } : {};
    const Agent = this.secure ? https.Agent : http.Agent;
    return [new Agent({ keepAlive: true, maxSockets: this.opts.maxConnections ?? 32, ...tls }), new Agent({ keepAlive: false, ...tls })];
  }

  /**
   * Authenticates with a new client certificate from now on (a rotated one). Every connection
   * made with the old one is closed, as the kubelet's certificate manager does: a kept-alive
   * connection would otherwise go on as the old certificate past its expiry. Open watches end
   * and their informers reconnect.
   */
  setClientCertificate(cert: string, key: string): void {
    const old = [this.agent, this.streamAgent];
    [this.agent, this.streamAgent] = this.makeAgents(cert, key);
    for (const a of old) a.destroy();
  }

  /** Sends a request and reads the whole body; non-2xx answers reject with an ApiError. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    let staleRetried = false;
    for (let failovers = 0; ; ) {
      const url = this.servers.current();
      try {
        const res = await this.open(url, req, this.agent, this.timeoutMs);
        const body = await readBody(res);
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) throw apiErrorFromResponse(status, body);
        return { status, body };
      } catch (err) {
        if (!staleRetried && (err as StaleSocketError).staleSocket && RETRYABLE.has(req.method)) {
          staleRetried = true;
          continue;
        }
        if (!this.failover(url, err, req, ++failovers)) throw err;
      }
    }
  }

  /**
   * Opens a streaming request (a watch, logs). Resolves once a 2xx status arrives with the
   * response to read from; a non-2xx status rejects with an ApiError. `idleTimeoutMs` ends a
   * stream on which nothing arrives for that long (a silently dead connection).
   */
  async stream(req: HttpRequest, idleTimeoutMs = 0): Promise<http.IncomingMessage> {
    for (let failovers = 0; ; ) {
      const url = this.servers.current();
      let res: http.IncomingMessage;
      try {
        res = await this.open(url, req, this.streamAgent, idleTimeoutMs);
      } catch (err) {
        if (this.failover(url, err, { ...req, method: 'GET' }, ++failovers)) continue;
        throw err;
      }
      // A stream that breaks later makes its reader reconnect; if the server is gone, that
      // reconnect is refused and moves on from here.
      const status = res.statusCode ?? 0;
      if (status >= 200 && status <= 299) return res;
      throw apiErrorFromResponse(status, await readBody(res));
    }
  }

  /** After a failed attempt on `url`: true when the request should go to the next server now. */
  private failover(url: URL, err: unknown, req: HttpRequest, failovers: number): boolean {
    if (this.servers.urls.length === 1 || req.signal?.aborted) return false;
    const action = planFailover(err, req.method);
    if (action === 'none') return false;
    this.servers.failed(url);
    return action === 'switch-and-retry' && failovers < this.servers.urls.length;
  }

  /** Closes idle kept-alive sockets. */
  close(): void {
    this.agent.destroy();
    this.streamAgent.destroy();
  }

  private open(url: URL, req: HttpRequest, agent: http.Agent, timeoutMs: number): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...this.headers };
      if (req.accept) headers.accept = req.accept;
      if (req.body !== undefined) {
        headers['content-type'] = req.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(req.body);
      }
      const r = (url.protocol === 'https:' ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        method: req.method,
        path: url.pathname.replace(/\/$/, '') + req.path,
        headers,
        agent,
        signal: req.signal,
      });
      let response: http.IncomingMessage | undefined;
      r.on('response', (res) => {
        response = res;
        resolve(res);
      });
      r.on('error', (err: StaleSocketError) => {
        if (r.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') err.staleSocket = true;
        reject(err);
      });
      if (timeoutMs > 0) {
        r.setTimeout(timeoutMs, () => {
          const err = Object.assign(new Error(`no data for ${timeoutMs} ms: ${req.method} ${req.path}`), { code: 'ETIMEDOUT' });
          // Once the response has begun, its reader must see why it ended.
          response?.destroy(err);
          r.destroy(err);
        });
      }
      r.end(req.body);
    });
  }
}

interface StaleSocketError extends Error {
  staleSocket?: boolean;
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}
