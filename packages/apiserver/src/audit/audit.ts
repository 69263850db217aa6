// The audit log in the request path (kube-apiserver's WithAudit and WithFailedAuthenticationAudit):
// a hook that runs before authentication notes when a request came in and gives it an Audit-Id;
// once the request is authenticated the policy decides its level from who sent it and what it
// asks (once: later stages reuse the decision), and the RequestReceived event is written; a
// long-running request (watch, logs, exec, attach, port-forward, proxy) gets a ResponseStarted
// event when its response headers go out, so a watch that stays open for hours is in the log from
// its start; when the response has ended (the socket's 'close', so watches, log streams and
// refused requests alike) the ResponseComplete event is written. Each stage is left out when the
// policy's omitStages names it. Exec, attach and port-forward upgrades bypass fastify: auditUpgrade
// records them the same way, with the status line the server wrote (101 when the agent accepted).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestUser } from '../auth/user.ts';
import { auditAnnotations, impersonatorOf } from './annotations.ts';
import { buildEvent, effectiveLevel, atLeast } from './event.ts';
import { DEFAULT_POLICY, levelFor, parsePolicy, type Level, type Policy, type Stage } from './policy.ts';
import { requestAttributes, type Attributes } from '../authz/attributes.ts';
import { isLongRunning } from '../limits/long-running.ts';
import { AuditWriter } from './writer.ts';

export interface AuditOptions {
  /** --audit-log-path (`-`: stdout). */
  path: string;
  /** --audit-policy-file; without it every request is logged at Metadata. */
  policyFile?: string;
  /** Or the policy itself (tests). */
  policy?: Policy;
  /** --audit-log-maxsize, megabytes; default 100 as kube-apiserver's lumberjack. */
  maxSizeMB?: number;
  /** --audit-log-maxbackup; 0 keeps them all. */
  maxBackups?: number;
}

export interface Noted {
  id: string;
  received: Date;
  response?: string;
  /** The policy's decision, made once the user is known. */
  decided?: Decided;
  /** RequestReceived was written: the request was authenticated. */
  announced?: boolean;
  /** ResponseStarted was written. */
  started?: boolean;
}

interface Decided {
  attrs: Attributes;
  level: Level;
  omitStages: Stage[];
}

const NOTED = Symbol('skiff.audit');
type WithNote = IncomingMessage & { [NOTED]?: Noted };

export class AuditLog {
  readonly policy: Policy;
  readonly writer: AuditWriter;
  /** Whether any rule logs response bodies: otherwise only failures' bodies are kept (for their Status). */
  readonly #responses: boolean;

  constructor(o: AuditOptions) {
    this.policy = o.policy ?? (o.policyFile ? parsePolicy(readFileSync(o.policyFile, 'utf8'), o.policyFile) : DEFAULT_POLICY);
    this.#responses = this.policy.rules.some((r) => r.level === 'RequestResponse');
    this.writer = new AuditWriter({ path: o.path, maxSizeMB: o.maxSizeMB ?? 100, maxBackups: o.maxBackups ?? 0, onError: (err) => console.error(`skiff apiserver: audit log: ${err.message}`) });
  }

  /** Notes a request's arrival; its event is written when `res` closes. */
  begin(req: IncomingMessage, res: ServerResponse, body: () => unknown): string {
    const note: Noted = { id: randomUUID(), received: new Date() };
    (req as WithNote)[NOTED] = note;
    res.once('close', () => this.finish(req, res.statusCode, body(), note));
    return note.id;
  }

  /** The level of a request, once its user is known (the policy, capped for Secrets). */
  levelOf(req: IncomingMessage): Level {
    const note = (req as WithNote)[NOTED];
    return (note ? this.#decide(req, note) : this.#decision(req)).level;
  }

  /**
   * The policy's decision for a request, made once: it is read for the authenticated user, which
   * impersonation does not change (the policy sees the authenticated user, as kube-apiserver's
   * audit filter runs before impersonation).
   */
  #decide(req: IncomingMessage, note: Noted): Decided {
    return (note.decided ??= this.#decision(req));
  }

  #decision(req: IncomingMessage): Decided {
    const attrs = requestAttributes(impersonatorOf(req) ?? requestUser(req), req.method ?? 'GET', req.url ?? '/');
    const decided = levelFor(this.policy, attrs);
    return { attrs, level: effectiveLevel(decided.level, attrs), omitStages: decided.omitStages };
  }

  /**
   * After authentication: the RequestReceived event; for a long-running request, the
   * ResponseStarted event when its headers are written (`res`; upgrades pass none and report
   * their status line through auditUpgrade).
   */
  received(req: IncomingMessage, res?: ServerResponse): void {
    const note = (req as WithNote)[NOTED];
    if (!note || note.announced) return;
    note.announced = true;
    const d = this.#decide(req, note);
    if (d.level === 'None') return;
    this.#write('RequestReceived', req, note, d, undefined);
    if (!res || !isLongRunning(d.attrs)) return;
    const writeHead = res.writeHead;
    const audit = this;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      res.writeHead = writeHead;
      audit.started(req, typeof args[0] === 'number' ? args[0] : res.statusCode);
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
  }

  /** A long-running request's response headers went out with `code`: its ResponseStarted event. */
  started(req: IncomingMessage, code: number): void {
    const note = (req as WithNote)[NOTED];
    if (!note || !note.announced || note.started) return;
    note.started = true;
    const d = this.#decide(req, note);
    if (d.level === 'None' || !isLongRunning(d.attrs)) return;
    this.#write('ResponseStarted', req, note, d, code);
  }

  /** Keeps a response body for the event: failures (their Status message) and RequestResponse. */
  noteResponse(req: IncomingMessage, code: number, payload: unknown): void {
    const note = (req as WithNote)[NOTED];
    if (!note || typeof payload !== 'string') return;
    if (code >= 400 || (this.#responses && atLeast(this.levelOf(req), 'RequestResponse'))) note.response = payload;
  }

  /** Writes the request's ResponseComplete event, if the policy wants one. */
  finish(req: IncomingMessage, code: number, requestBody: unknown, note: Noted): void {
    const d = this.#decide(req, note);
    if (d.level === 'None') return;
    const response = note.response !== undefined ? parseJson(note.response) : undefined;
    const status = code >= 400 && response && (response as { kind?: string }).kind === 'Status' ? (response as { status?: string; message?: string; reason?: string }) : undefined;
    this.#write('ResponseComplete', req, note, d, code, {
      status,
      requestObject: atLeast(d.level, 'Request') ? this.#strip(requestObjectOf(requestBody)) : undefined,
      responseObject: atLeast(d.level, 'RequestResponse') ? this.#strip(response) : undefined,
    });
  }

  /** One event of a request at `stage`, unless the policy omits that stage. */
  #write(stage: Stage, req: IncomingMessage, note: Noted, d: Decided, code: number | undefined, more: { status?: { status?: string; message?: string; reason?: string }; requestObject?: unknown; responseObject?: unknown } = {}): void {
    if (d.omitStages.includes(stage)) return;
    const impersonator = impersonatorOf(req);
    const event = buildEvent({
      auditID: note.id,
      level: d.level,
      stage,
      attributes: d.attrs,
      impersonatedUser: impersonator ? requestUser(req) : undefined,
      requestURI: req.url ?? '/',
      sourceIPs: req.socket.remoteAddress ? [req.socket.remoteAddress] : [],
      userAgent: req.headers['user-agent'],
      code,
      ...more,
      received: note.received,
      now: new Date(),
      annotations: auditAnnotations(req),
    });
    this.writer.write(JSON.stringify(event));
  }

  #strip(o: unknown): unknown {
    if (!this.policy.omitManagedFields || !o || typeof o !== 'object') return o;
    const m = (o as { metadata?: Record<string, unknown> }).metadata;
    if (!m?.managedFields) return o;
    const { managedFields: _mf, ...metadata } = m;
    return { ...o, metadata };
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function requestObjectOf(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  if (Buffer.isBuffer(body)) return parseJson(body.toString('utf8'));
  if (typeof body === 'string') return parseJson(body);
  return body;
}

/** First of all hooks, before authentication: refused requests (401, 429) are audited too. */
export function registerAudit(app: FastifyInstance, audit: AuditLog): void {
  const bodies = new WeakMap<IncomingMessage, FastifyRequest>();
  app.addHook('onRequest', (req, reply, done) => {
    bodies.set(req.raw, req);
    const id = audit.begin(req.raw, reply.raw, () => bodies.get(req.raw)?.body);
    // On the raw response, so that hijacked responses (watches, log streams) carry it too.
    reply.raw.setHeader('audit-id', id);
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    audit.noteResponse(req.raw, reply.statusCode, payload);
    done(null, payload);
  });
  app.addHook('onClose', (_app, done) => {
    audit.close().then(() => done(), done);
  });
}

/** Right after authentication: RequestReceived, and ResponseStarted for long-running requests. */
export function registerAuditReceived(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onRequest', (req, reply, done) => {
    audit.received(req.raw, reply.raw);
    done();
  });
}

/**
 * An exec/attach/port-forward upgrade: audited when its socket closes, with the status line
 * written on it; the relay calls `audit.received(req)` once it has authenticated the request, and
 * the status line, when it goes out, is the upgrade's ResponseStarted.
 */
export function auditUpgrade(audit: AuditLog, req: IncomingMessage, socket: Duplex): void {
  const note: Noted = { id: randomUUID(), received: new Date() };
  (req as WithNote)[NOTED] = note;
  let code = 0;
  const sniff = (chunk: unknown) => {
    if (code || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const m = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.isBuffer(chunk) ? chunk.toString('latin1', 0, 16) : String(chunk).slice(0, 16));
    if (m) {
      code = Number(m[1]);
      audit.started(req, code);
    }
  };
  // The first status line written on the socket (101, or the refusal's code).
  const { write, end } = socket;
  socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
    sniff(chunk);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Duplex['write'];
  socket.end = function (this: Duplex, chunk?: unknown, ...rest: unknown[]) {
    sniff(chunk);
    return (end as (...a: unknown[]) => Duplex).call(this, chunk, ...rest);
  } as Duplex['end'];
  socket.once('close', () => audit.finish(req, code, undefined, note));
}
