// Authentication, as kube-apiserver's union of authenticators: a client certificate the TLS layer
// verified against the cluster CA (CN = user, O = groups), else a bearer token: the static token
// file, a bootstrap token, a ServiceAccount JWT. A request with credentials that fail is 401; one
// without credentials is 401 except on the public paths (health, version, the CA download). A
// request on the plain-HTTP loopback listener is system:unsecured (ADR 0014).
//
// The result is put where every later stage reads it (./user.ts). Tokens never reach a log line.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors/status.ts';
import type { AuthFailureLimiter } from '../limits/auth-failures.ts';
import { sendTooMany, tooManyRequests } from '../limits/too-many.ts';
import type { Storage } from '../storage/types.ts';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_PATTERN, bootstrapSecretName, bootstrapTokenUser } from './bootstrap-tokens.ts';
import { API_AUDIENCE, looksLikeJwt, type ServiceAccountTokens, type VerifiedToken } from './service-account-tokens.ts';
import { ANONYMOUS, setRequestUser, SYSTEM_UNAUTHENTICATED, UNSECURED_USER, withAuthenticated, type UserInfo } from './user.ts';

export interface AuthenticatorOptions {
  /** Tokens of --token-auth-file. */
  staticTokens?: Map<string, UserInfo>;
  /** Verifies ServiceAccount JWTs (and issues them, for TokenRequest). */
  serviceAccountTokens?: ServiceAccountTokens;
  /** Where bootstrap token Secrets, ServiceAccounts and bound pods are read. */
  storage: Storage;
  /** How long a token's successful check is reused (kube-apiserver caches 10 s); default 10 000 ms. */
  tokenCacheMs?: number;
  now?: () => number;
}

/** Paths Kubernetes serves to anyone (system:public-info-viewer), and the CA download joining needs. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/', '/cacerts']);
const PUBLIC_PREFIXES = ['/healthz/', '/livez/', '/readyz/'];

export function isPublicPath(url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p));
}

export type AuthResult = { user: UserInfo } | { user?: undefined; failed: boolean };

const TOKEN_CACHE_MAX = 4096;

export class Authenticator {
  private readonly opts: AuthenticatorOptions;
  private readonly certUsers = new WeakMap<object, UserInfo | null>();
  private readonly tokenCache = new Map<string, { user: UserInfo; until: number }>();
  private readonly now: () => number;

  constructor(opts: AuthenticatorOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Who sent `req`: a user, or why not (`failed`: credentials were given and are not valid;
   * otherwise none were given). Answers synchronously when the socket's certificate or a cached
   * token decides it.
   */
  authenticate(req: IncomingMessage): AuthResult | Promise<AuthResult> {
    const socket = req.socket as TLSSocket;
    if (!socket.encrypted) return { user: UNSECURED_USER };
    const certUser = this.certificateUser(socket);
    if (certUser) return { user: certUser };
    const header = req.headers.authorization;
    if (header === undefined) return { failed: false };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return { failed: true };
    const token = m[1];
    const cached = this.tokenCache.get(token);
    if (cached && cached.until > this.now()) return { user: cached.user };
    const fixed = this.opts.staticTokens?.get(token);
    if (fixed) return { user: withAuthenticated(fixed) };
    return this.checkToken(token, [API_AUDIENCE]).then((checked) => {
      if (!checked) return { failed: true };
      this.remember(token, checked.user, checked.expiresAtMs);
      return { user: checked.user };
    });
  }

  /**
   * Who a bearer token makes its holder, for `audiences` (TokenReview; kube-apiserver's token
   * authenticators): the user and the audiences it is good for among those asked, or undefined.
   * Static and bootstrap tokens know no audience: they are good only for the API server's own
   * (kube-apiserver's audience-agnostic wrapping). Nothing is cached: a review sees the token as
   * it is now.
   */
  async reviewToken(token: string, audiences: readonly string[] = [API_AUDIENCE]): Promise<{ user: UserInfo; audiences: string[] } | undefined> {
    const fixed = this.opts.staticTokens?.get(token);
    if (fixed) return audiences.includes(API_AUDIENCE) ? { user: withAuthenticated(fixed), audiences: [API_AUDIENCE] } : undefined;
    const checked = await this.checkToken(token, audiences);
    return checked && { user: checked.user, audiences: checked.audiences };
  }

  /** Drops cached token checks (a token deleted now is refused at once, not after the cache time). */
  forgetTokens(): void {
    this.tokenCache.clear();
  }

  private certificateUser(socket: TLSSocket): UserInfo | undefined {
    let user = this.certUsers.get(socket);
    if (user === undefined) {
      user = null;
      // `authorized`: the TLS layer verified the chain to the cluster CA and the validity period.
      if (socket.authorized) {
        const subject = socket.getPeerCertificate().subject as unknown as Record<string, string | string[] | undefined> | undefined;
        const cn = subject?.CN;
        const o = subject?.O;
        if (typeof cn === 'string' && cn) user = withAuthenticated({ username: cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] });
      }
      this.certUsers.set(socket, user);
    }
    return user ?? undefined;
  }

  private async checkToken(token: string, audiences: readonly string[]): Promise<{ user: UserInfo; expiresAtMs?: number; audiences: string[] } | undefined> {
    const boot = BOOTSTRAP_TOKEN_PATTERN.exec(token);
    if (boot) {
      if (!audiences.includes(API_AUDIENCE)) return undefined;
      const secret = await this.opts.storage.get({ resource: 'secrets', namespace: BOOTSTRAP_TOKEN_NAMESPACE, name: bootstrapSecretName(boot[1]) });
      const user = bootstrapTokenUser(secret, boot[1], boot[2], new Date(this.now()));
      const expiration = (secret as { data?: Record<string, string> } | undefined)?.data?.expiration;
      return user && { user: withAuthenticated(user), expiresAtMs: expiration ? Date.parse(Buffer.from(expiration, 'base64').toString('utf8')) : undefined, audiences: [API_AUDIENCE] };
    }
    if (this.opts.serviceAccountTokens && looksLikeJwt(token)) {
      const v = await this.opts.serviceAccountTokens.verify(token, this.now(), audiences);
      if (v && (await this.stillBound(v))) return { user: withAuthenticated(v.user), expiresAtMs: v.expiresAt * 1000, audiences: v.audiences };
    }
    return undefined;
  }

  /** A token is valid only while its ServiceAccount (and the object it is bound to) exist with the uids it names. */
  private async stillBound(v: VerifiedToken): Promise<boolean> {
    const sa = await this.opts.storage.get({ resource: 'serviceaccounts', namespace: v.namespace, name: v.serviceAccount.name });
    if (!sa || sa.metadata.uid !== v.serviceAccount.uid || sa.metadata.deletionTimestamp) return false;
    if (!v.boundObject) return true;
    const resource = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' }[v.boundObject.kind];
    const o = await this.opts.storage.get({ resource, namespace: v.boundObject.kind === 'Node' ? '' : v.namespace, name: v.boundObject.name });
    return !!o && o.metadata.uid === v.boundObject.uid && !o.metadata.deletionTimestamp;
  }

  private remember(token: string, user: UserInfo, expiresAtMs: number | undefined): void {
    const until = Math.min(this.now() + (this.opts.tokenCacheMs ?? 10_000), expiresAtMs ?? Infinity);
    if (until <= this.now()) return;
    if (this.tokenCache.size >= TOKEN_CACHE_MAX) this.tokenCache.delete(this.tokenCache.keys().next().value!);
    this.tokenCache.set(token, { user, until });
  }
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** A bearer token that a limited address may not have checked now (its certificate, if any, did not authenticate it). */
function limitedTokenAttempt(req: IncomingMessage, limiter: AuthFailureLimiter | undefined): number {
  if (!limiter?.enabled || req.headers.authorization === undefined) return 0;
  const socket = req.socket as TLSSocket;
  if (!socket.encrypted || socket.authorized) return 0;
  return limiter.retryAfter(req.socket.remoteAddress ?? '');
}

/** 429 for an address over its failed-authentication budget, before its credentials are checked (limits/auth-failures.ts). */
export function authFailureRefusal(req: IncomingMessage, limiter: AuthFailureLimiter | undefined): ApiError | undefined {
  const wait = limitedTokenAttempt(req, limiter);
  return wait ? tooManyRequests(wait, 'too many failed authentication attempts from this address, please try again later') : undefined;
}

/** Authenticates every request before anything else runs (fastify's first onRequest hook). */
export function registerAuthentication(app: FastifyInstance, authenticator: Authenticator, limiter?: AuthFailureLimiter): void {
  app.addHook('onRequest', (req, reply, done) => {
    const refusal = authFailureRefusal(req.raw, limiter);
    if (refusal) return sendTooMany(reply, refusal);
    const settle = (r: AuthResult) => {
      if (!r.user && r.failed) limiter?.failed(req.raw.socket.remoteAddress ?? '');
      if (r.user) {
        setRequestUser(req.raw, r.user);
        return done();
      }
      if (!r.failed && isPublicPath(req.url)) {
        setRequestUser(req.raw, { username: ANONYMOUS, groups: [SYSTEM_UNAUTHENTICATED] });
        return done();
      }
      const e = unauthorized();
      reply.code(401).header('cache-control', 'no-cache, private').type('application/json').send(JSON.stringify(e.toStatus()));
    };
    const r = authenticator.authenticate(req.raw);
    if (r instanceof Promise) r.then(settle, (err: unknown) => done(err as Error));
    else settle(r);
  });
}
