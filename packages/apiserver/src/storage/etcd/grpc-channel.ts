// gRPC calls over one Node HTTP/2 session per etcd member: the transport of every call the storage
// makes to etcd (./kv-client.ts): unary calls (Range, Txn, Put, Compact, Status) and the one
// bidirectional stream (Watch). A call is one HTTP/2 POST whose body is a series of
// length-prefixed protobuf messages (one for a unary call) and whose answer ends with a
// grpc-status trailer (the gRPC-over-HTTP/2 protocol: five headers, a five-byte prefix per
// message, the status in trailers or, for an error with no message, in the headers alone). The
// messages are encoded and decoded by protobufjs from etcd3's own .proto files; Node's http2
// speaks HTTP/2 and TLS.
//
// Why not grpc-js (which etcd3's client is built on): per call it builds a resolving call, a
// retrying call, a load-balancing call, a subchannel call, interceptors, a metadata object, a
// filter stack and a credentials promise, and that cost as much CPU as the call itself. Measured
// with 32 Txn calls in flight against a local member, the client's CPU per call: grpc-js 130-165
// µs, this 71-75 µs (docs/performance.md, "The etcd backend, session 13").
//
// What is kept of grpc-js's behaviour: errors are Errors whose message is "<code> <NAME>: <details>"
// with `code` and `details` set (./fault-handling.ts tells transient ones by the code); a unary call
// has a deadline, sent as grpc-timeout (etcd gives up too) and enforced here (the stream is
// cancelled); a session that errs, closes or receives GOAWAY is dropped and the next call
// connects again (a stream on it ends with the session).
import http2 from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
export const UNAVAILABLE = 14;
export const DEADLINE_EXCEEDED = 4;
export const INTERNAL = 13;

export interface GrpcStatusError extends Error {
  code: number;
  details: string;
}

/** An error as grpc-js makes it for a call that ended with status `code`. */
export function statusError(code: number, details: string): GrpcStatusError {
  return Object.assign(new Error(`${code} ${STATUS_NAMES[code] ?? 'UNKNOWN'}: ${details}`), { code, details });
}

/** Pure: a message as a gRPC length-prefixed frame (uncompressed). */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Pure: the one message of a unary answer's body; throws when the body is not exactly one uncompressed frame. */
export function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw statusError(INTERNAL, `an answer of ${body.length} bytes is not a gRPC message`);
  if (body[0] !== 0) throw statusError(INTERNAL, 'a compressed answer, which was not asked for');
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw statusError(INTERNAL, `an answer of ${body.length} bytes framing a message of ${length}`);
  return body.subarray(5);
}

/**
 * Pure: the messages of a stream's answer as its chunks arrive (HTTP/2 DATA frames do not follow
 * message boundaries). push() returns the messages the chunk completed; throws on a compressed one.
 */
export class MessageReader {
  #pending: Buffer[] = [];
  #bytes = 0;
  /** Bytes the message begun needs, prefix included, once its prefix has come (chunks are joined only then). */
  #need = 0;

  push(chunk: Buffer): Buffer[] {
    this.#pending.push(chunk);
    this.#bytes += chunk.length;
    const out: Buffer[] = [];
    while (this.#bytes >= 5 && this.#bytes >= this.#need) {
      let buf = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending, this.#bytes);
      if (buf[0] !== 0) throw statusError(INTERNAL, 'a compressed message, which was not asked for');
      const length = buf.readUInt32BE(1);
      if (buf.length < 5 + length) {
        this.#pending = [buf];
        this.#need = 5 + length;
        break;
      }
      out.push(buf.subarray(5, 5 + length));
      buf = buf.subarray(5 + length);
      this.#pending = buf.length ? [buf] : [];
      this.#bytes = buf.length;
      this.#need = 0;
    }
    return out;
  }

  /** Bytes of a message not yet complete. */
  get buffered(): number {
    return this.#bytes;
  }
}

/** Pure: the grpc-timeout header for a deadline `ms` away (milliseconds, at least 1: a timeout of 0 would mean none). */
export function grpcTimeout(ms: number): string {
  return `${Math.max(1, Math.ceil(ms))}m`;
}

/**
 * Pure: how a call ended, from the HTTP/2 status, the gRPC status and message (trailers, or the
 * headers of a trailers-only answer) and the body: the message, or the error to throw.
 */
export function callOutcome(httpStatus: number | undefined, grpcStatus: string | undefined, grpcMessage: string | undefined, body: Buffer): Buffer | GrpcStatusError {
  if (grpcStatus === undefined) {
    // Not a gRPC answer: an HTTP error from something that is not etcd, or a stream cut short.
    return statusError(httpStatus !== undefined && httpStatus !== 200 ? UNAVAILABLE : INTERNAL, httpStatus !== undefined && httpStatus !== 200 ? `HTTP status ${httpStatus} without a gRPC status` : 'the answer ended without a gRPC status');
  }
  const code = Number(grpcStatus);
  if (!Number.isInteger(code) || code < 0) return statusError(INTERNAL, `a gRPC status of ${JSON.stringify(grpcStatus)}`);
  if (code !== 0) return statusError(code, grpcMessage === undefined ? '' : percentDecoded(grpcMessage));
  try {
    return unframe(body);
  } catch (e) {
    return e as GrpcStatusError;
  }
}

/** grpc-message is percent-encoded; a malformed one is shown as sent. */
function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A call's HTTP status, and its gRPC status and message (from the trailers, or the headers of a trailers-only answer), as they come. */
function followStatus(stream: http2.ClientHttp2Stream): { http?: number; grpc?: string; message?: string } {
  const status: { http?: number; grpc?: string; message?: string } = {};
  const from = (h: IncomingHttpHeaders) => {
    if (h['grpc-status'] !== undefined) status.grpc = String(h['grpc-status']);
    if (h['grpc-message'] !== undefined) status.message = String(h['grpc-message']);
  };
  stream.on('response', (h) => {
    status.http = Number(h[':status']);
    from(h);
  });
  stream.on('trailers', from);
  return status;
}

export interface ChannelTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** What a streaming call tells its owner. */
export interface StreamHandlers {
  /** One message of the answer, in order. */
  onMessage(message: Buffer): void;
  /**
   * The call ended without being cancelled: with the status etcd gave (an OK status too: etcd ended
   * it), or UNAVAILABLE when the connection failed or was cut. Nothing follows.
   */
  onEnd(err: GrpcStatusError): void;
}

/** A bidirectional streaming call in progress. */
export interface GrpcStream {
  /** Sends one message. */
  write(message: Uint8Array): void;
  /** Ends the call (RST_STREAM CANCEL); no handler is called after it. */
  cancel(): void;
}

/** One member: an HTTP/2 session made on the first call and again after it ends. */
export class GrpcChannel {
  readonly authority: string;
  readonly #tls: ChannelTls | undefined;
  readonly #windowBytes: number;
  #session: ClientHttp2Session | undefined;
  /** What the last session that failed said (for the message of calls it cut short), until a session works. */
  #lastError: Error | undefined;
  #closed = false;

  /** Sessions made so far (tests). */
  sessionsOpened = 0;
  readonly #maxStreams: number;
  /** Requests made on the current session. */
  #streams = 0;

  /**
   * `authority` as `host:port`; `windowBytes`: the flow-control window for answers (large lists);
   * `maxStreamsPerSession`: requests before a session is replaced (default 2^30: client stream
   * ids are odd numbers below 2^31).
   */
  constructor(authority: string, tls: ChannelTls | undefined, windowBytes: number, maxStreamsPerSession = 2 ** 30) {
    this.authority = authority;
    this.#tls = tls;
    this.#windowBytes = windowBytes;
    this.#maxStreams = maxStreamsPerSession;
  }

  /** One unary call: resolves with the answer's message, rejects with a GrpcStatusError. */
  call(path: string, message: Uint8Array, deadline: Date): Promise<Buffer> {
    if (this.#closed) return Promise.reject(statusError(UNAVAILABLE, `the channel to ${this.authority} is closed`));
    const remaining = deadline.getTime() - Date.now();
    if (remaining <= 0) return Promise.reject(statusError(DEADLINE_EXCEEDED, 'Deadline exceeded before the call started'));
    const session = this.#connected();
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (outcome: Buffer | GrpcStatusError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': grpcTimeout(remaining) });
      } catch (e) {
        // The session went away between the check and the request: forget it, the next call connects anew.
        this.#drop(session);
        settle(statusError(UNAVAILABLE, `${this.authority}: ${(e as Error).message}`));
        return;
      }
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        // A session still connecting after a whole deadline (an address that drops packets, a
        // TLS handshake nobody answers) is given up: the next call starts a new connection.
        const connecting = session.connecting;
        if (connecting) this.#drop(session, true);
        // Still connecting: say what the last connection that failed said (a TLS refusal, say),
        // which is the likelier cause than this attempt's deadline, often a short last one.
        const why = connecting ? ` (still connecting${this.#lastError ? `; the last connection failed: ${this.#lastError.message}` : ''})` : '';
        settle(statusError(DEADLINE_EXCEEDED, `Deadline exceeded after ${remaining} ms${why}`));
      }, remaining);
      const chunks: Buffer[] = [];
      const status = followStatus(stream);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err: Error) => settle(statusError(UNAVAILABLE, `${this.authority}: ${err.message}`)));
      stream.on('close', () => {
        // No answer at all: the connection failed or was cut (what the session said, if anything).
        if (status.http === undefined) settle(this.#noAnswer());
        else settle(callOutcome(status.http, status.grpc, status.message, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
      });
      stream.end(frame(message));
    });
  }

  /**
   * A bidirectional streaming call with no deadline (its owner supervises it): messages written
   * are sent as they come, answers are handed over one message at a time.
   */
  stream(path: string, h: StreamHandlers): GrpcStream {
    let ended = false;
    const end = (err: GrpcStatusError) => {
      if (ended) return;
      ended = true;
      h.onEnd(err);
    };
    if (this.#closed) {
      queueMicrotask(() => end(statusError(UNAVAILABLE, `the channel to ${this.authority} is closed`)));
      return { write: () => {}, cancel: () => void (ended = true) };
    }
    const session = this.#connected();
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    } catch (e) {
      this.#drop(session);
      queueMicrotask(() => end(statusError(UNAVAILABLE, `${this.authority}: ${(e as Error).message}`)));
      return { write: () => {}, cancel: () => void (ended = true) };
    }
    const reader = new MessageReader();
    const status = followStatus(stream);
    stream.on('data', (c: Buffer) => {
      if (ended) return;
      let messages: Buffer[];
      try {
        messages = reader.push(c);
      } catch (e) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        end(e as GrpcStatusError);
        return;
      }
      for (const m of messages) {
        if (ended) return;
        h.onMessage(m);
      }
    });
    stream.on('error', (err: Error) => end(statusError(UNAVAILABLE, `${this.authority}: ${err.message}`)));
    stream.on('close', () => {
      if (status.http === undefined) return end(this.#noAnswer());
      if (status.grpc === undefined) return end(statusError(UNAVAILABLE, `${this.authority}: the stream ended without a gRPC status (HTTP status ${status.http})`));
      const code = Number(status.grpc);
      end(statusError(Number.isInteger(code) && code >= 0 ? code : INTERNAL, status.message === undefined ? (code === 0 ? 'the stream was ended by etcd' : '') : percentDecoded(status.message)));
    });
    return {
      write: (message) => {
        if (!ended && !stream.closed && !stream.destroyed) stream.write(frame(message));
      },
      cancel: () => {
        ended = true;
        if (!stream.closed && !stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
      },
    };
  }

  /** A call that ended with no answer at all: the connection failed or was cut (what the session said, if anything). */
  #noAnswer(): GrpcStatusError {
    return statusError(UNAVAILABLE, `${this.authority}: the connection ended before an answer (${this.#lastError?.message ?? 'closed by the other side'})`);
  }

  close(): void {
    this.#closed = true;
    this.#session?.close();
    this.#session = undefined;
  }

  #connected(): ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) {
      // Stream ids run out after 2^30 requests on one session (days at thousands of calls a
      // second): a session that has carried its share is closed (its calls finish) and replaced.
      if (++this.#streams <= this.#maxStreams) return current;
      this.#drop(current);
    }
    this.#streams = 1;
    this.sessionsOpened++;
    const tls = this.#tls;
    const host = this.authority.slice(0, this.authority.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const port = Number(this.authority.slice(this.authority.lastIndexOf(':') + 1));
    const session = http2.connect(`${tls ? 'https' : 'http'}://${this.authority}`, {
      settings: { initialWindowSize: this.#windowBytes },
      // TLS made here rather than by http2.connect, which sends the host as the TLS server name
      // even when it is an IP address (RFC 6066 does not allow that; Node warns, DEP0123). The
      // certificate is checked against the address either way.
      ...(tls ? { createConnection: () => tlsConnect({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key, ALPNProtocols: ['h2'], ...(isIP(host) ? {} : { servername: host }) }) } : {}),
    });
    session.once('connect', () => session.setLocalWindowSize(this.#windowBytes));
    // Streams see the session's failure as their own 'error'; the session itself is dropped.
    session.on('error', (err: Error) => {
      this.#lastError = err;
      this.#drop(session);
    });
    // The connection works once etcd speaks HTTP/2 on it (its SETTINGS), not when TLS is done on
    // this side: in TLS 1.3 the client's handshake ends before etcd has checked its certificate.
    session.once('remoteSettings', () => (this.#lastError = undefined));
    session.once('goaway', () => this.#drop(session));
    session.once('close', () => this.#drop(session));
    this.#session = session;
    return session;
  }

  /** Forgets the session; `now`: destroyed (it never connected), else closed once its calls end. */
  #drop(session: ClientHttp2Session, now = false): void {
    if (this.#session === session) this.#session = undefined;
    if (now) session.destroy();
    else if (!session.closed) session.close();
  }
}
