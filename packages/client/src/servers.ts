// Several API servers behind one client (ADR 0012). `server` may list them separated by commas;
// requests stick to one until it fails at the connection level, then move to the next in the
// list (k3s's agent load balancer does the same). Which failures allow resending a request to
// another server is decided here too, as pure functions beside the transport that acts on them.

/** Parses `http://a:6443` or `http://a:6443,http://b:6443` into URLs (at least one). */
export function parseServerList(server: string): URL[] {
  const parts = server.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new Error('no API server URL given');
  return parts.map((p) => {
    let url: URL;
    try {
      url = new URL(p);
    } catch {
      throw new Error(`"${p}" is not an API server URL (expected http(s)://HOST:PORT)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${p}": an API server URL is http:// or https://`);
    return url;
  });
}

/** Errors that say the request never reached a server: any request may go to the next one. */
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);
/** Errors that say the connection to a server broke (it may be gone). */
const CONNECTION = new Set([...NOT_DELIVERED, 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);
/** Methods whose request may be sent twice without a second effect (as client-go retries). */
const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);

export type FailureAction =
  /** Not a connection failure (an HTTP answer, an abort): no failover. */
  | 'none'
  /** The server is suspect: later requests go to the next one; this one fails to its caller. */
  | 'switch'
  /** Switch, and resend this request to the next server now. */
  | 'switch-and-retry';

/**
 * What a failure of one request means for the pool. A POST or PATCH whose connection broke after
 * it was sent may have been applied: it is not resent (its caller decides), but later requests
 * avoid the server.
 */
export function planFailover(err: unknown, method: string): FailureAction {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !CONNECTION.has(code)) return 'none';
  return NOT_DELIVERED.has(code) || IDEMPOTENT.has(method) ? 'switch-and-retry' : 'switch';
}

/** The servers and which one requests go to. */
export class ServerPool {
  readonly urls: readonly URL[];
  private index = 0;

  constructor(server: string) {
    this.urls = parseServerList(server);
  }

  current(): URL {
    return this.urls[this.index];
  }

  /** `url` failed: if it is still the current server, the next one in the list becomes current. */
  failed(url: URL): void {
    if (this.urls[this.index] === url) this.index = (this.index + 1) % this.urls.length;
  }
}
