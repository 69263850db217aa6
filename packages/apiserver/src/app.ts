// The API server as a fastify app, built without listening (tests use a real port 0 or inject).
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from 'fastify';
import { parseBool, RESOURCES } from '@skiff/api';
import { openStorage, walMaxBytesFromEnv } from './storage/index.ts';
import type { EtcdStorageOptions } from './storage/etcd/options.ts';
import type { Storage } from './storage/types.ts';
import { StorageError } from './storage/types.ts';
import { PatchError } from './patch/errors.ts';
import { registerDiscoveryRoutes } from './discovery/index.ts';
import { registerOpenApiRoutes } from './openapi/index.ts';
import { ApiError, badRequest, internal, notFoundPath, serviceUnavailable, tooLarge, unsupportedMediaType } from './errors/status.ts';
import { BODY_LIMIT, OBJECT_MEDIA_TYPES, registerBodyParser } from './http/body.ts';
import { createMetrics } from './metrics/metrics.ts';
import type { ApiMetrics } from './metrics/metrics.ts';
import { PriorityClasses } from './registry/priority-classes.ts';
import { NamespaceController } from './registry/namespaces.ts';
import { ensureBuiltinStorageClass } from './registry/storage-classes.ts';
import { ResourceStore } from './registry/store.ts';
import { migrateClusterIPs } from './registry/service-ip-migration.ts';
import { ClaimRepair, type ClaimRepairOptions } from './registry/service-claim-repair.ts';
import { parseServiceRange } from './registry/service-ips.ts';
import type { ServerContext } from './routes/context.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerCaRoute } from './routes/cacerts.ts';
import { registerSelfSubjectReview } from './routes/self-subject-review.ts';
import { registerAccessReviews } from './routes/access-reviews.ts';
import { registerTokenReview } from './routes/token-review.ts';
import { registerResourceRoutes } from './routes/resources.ts';
import { registerExecUpgrade } from './routes/node-proxy.ts';
import type { RouteConfig } from './routes/resources.ts';
import { Authenticator, registerAuthentication } from './auth/authenticate.ts';
import { ServiceAccountTokens } from './auth/service-account-tokens.ts';
import { ServiceAccountAdmission } from './registry/service-account-admission.ts';
import type { UserInfo } from './auth/user.ts';
import { AuditLog, registerAudit, registerAuditReceived, type AuditOptions } from './audit/index.ts';
import { AuthFailureLimiter, type AuthFailureLimits } from './limits/auth-failures.ts';
import { InflightCounter, registerInflightLimits, type InflightLimits } from './limits/inflight.ts';
import { EncryptingStorage, Keyring, loadOrCreateKeyFile } from './storage/encryption/index.ts';
import { Authorization, registerAuthorization, type AuthorizationMode } from './authz/index.ts';

export interface BuildAppOptions {
  /** Directory of the SQLite database; required unless `storage` or `etcd` is given. */
  dataDir?: string;
  /** Serve from etcd instead of SQLite (`skiff server --datastore-endpoint etcd://...`); opened and closed with the app. */
  etcd?: EtcdStorageOptions;
  /** A storage to serve (the app does not close it); otherwise one is opened in dataDir and closed with the app. */
  storage?: Storage;
  /** fastify's logger; off by default (request logging costs throughput). */
  logger?: FastifyServerOptions['logger'];
  /** Also export Node process metrics (GC, heap, event loop) on /metrics. */
  processMetrics?: boolean;
  /** The SQLite WAL's bound in bytes (Infinity: off); default SKIFF_SQLITE_WAL_MAX_BYTES, else 64 MiB (ADR 0001). */
  walMaxBytes?: number;
  /** Unsent bytes beyond which a slow watcher is disconnected (default 16 MiB). */
  watchMaxBufferedBytes?: number;
  /** Where Service ClusterIPs come from (kube-apiserver's --service-cluster-ip-range); default 10.96.0.0/16. */
  serviceClusterIPRange?: string;
  /** The repair loop of Service address claims (default: every 3 min, a leak given back after 3 passes; intervalMs 0: only the pass at start). */
  claimRepair?: Omit<ClaimRepairOptions, 'log'>;
  /**
   * Serve HTTPS with this serving certificate and accept client certificates signed by `ca`.
   * Without it the app speaks plain HTTP and every request is system:unsecured (ADR 0014): only
   * for loopback, when asked for.
   */
  tls?: ServingTls;
  /** Bearer tokens (see auth/authenticate.ts). */
  authentication?: AuthenticationConfig;
  /**
   * Seal Secrets at rest (AES-256-GCM) with the keys in this file, made (0600) on first start
   * (ADR 0020). `skiff server` keeps it at DATA_DIR/pki/secrets-encryption.json.
   */
  encryptionKeyFile?: string;
  /** The audit log (--audit-log-path and friends); none without it. */
  audit?: AuditOptions;
  /** --authorization-mode: the authorizers' chain, in order (authz/modes.ts); default Node,RBAC. */
  authorizationModes?: readonly AuthorizationMode[];
  /** --max-requests-inflight, --max-mutating-requests-inflight (default 400, 200; 0: none) and the failed-authentication limit per address. */
  limits?: InflightLimits & { authFailures?: AuthFailureLimits };
}

export interface ServingTls {
  /** PEM */
  cert: string;
  key: string;
  /** PEM of the cluster CA: client certificates it signed authenticate; served on /cacerts. */
  ca: string;
  /**
   * The API server's client certificate for the agents' endpoints (logs, exec): agents accept
   * only it, and their serving certificates are verified against `ca` (ADR 0019).
   */
  kubeletClient?: { cert: string; key: string };
}

export interface AuthenticationConfig {
  /** --token-auth-file's tokens. */
  staticTokens?: Map<string, UserInfo>;
  /** PEM PKCS#8 key that signs and verifies ServiceAccount tokens. */
  serviceAccountKey?: string;
  /** How long a successful token check is reused; default 10 000 ms (kube-apiserver's). */
  tokenCacheMs?: number;
}

export interface SkiffApp {
  app: FastifyInstance;
  storage: Storage;
  metrics: ApiMetrics;
  context: ServerContext;
}

declare module 'fastify' {
  interface FastifyInstance {
    skiff: ServerContext;
  }
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Client certificates are asked for, not required: a request may carry a token instead. The
    // TLS layer verifies a given certificate against the CA; authentication reads the verdict.
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false } } : {}),
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 512 },
    // Open watch streams must not keep close() waiting.
    forceCloseConnections: true,
    return503OnClosing: false,
    // A URL fastify cannot decode (`/api/v1/namespaces/%ZZ/pods`) is a 400 Status like any other.
    frameworkErrors: (err, _req, reply) => {
      const e = badRequest(`malformed request: ${err.message}`);
      void (reply as unknown as FastifyReply).code(400).header('cache-control', 'no-cache, private').type('application/json').send(JSON.stringify(e.toStatus()));
    },
  });
  let storage: Storage | undefined = opts.storage;
  const metrics = createMetrics(() => storage, { defaultMetrics: opts.processMetrics });
  if (!storage && opts.etcd) {
    // Loaded only when asked for: the etcd client (gRPC, protobuf) costs start-up time SQLite users need not pay.
    const { EtcdStorage } = await import('./storage/etcd/storage.ts');
    storage = await EtcdStorage.open({
      onLog: (msg, err) => (opts.logger ? app.log.warn({ err }, msg) : console.error(`skiff apiserver: ${msg}${err ? `: ${(err as Error).message ?? err}` : ''}`)),
      onTiming: (op, ms) => metrics.observeStorage(op, ms),
      ...opts.etcd,
    });
  }
  if (!storage) {
    if (!opts.dataDir) throw new Error('buildApp: dataDir, etcd or storage is required');
    // Group commit: the writes of one event-loop turn share one SQLite transaction (several times
    // the write rate); the onSend hook below holds every reply until that transaction commits.
    // WAL checkpoints run in a worker thread, not inside a COMMIT (the create latency tail).
    // The WAL's bound (ADR 0001) can be moved, or turned off for a benchmark's baseline, with SKIFF_SQLITE_WAL_MAX_BYTES
    // (`skiff server` checks it, with its other settings, before it writes anything, and passes walMaxBytes).
    storage = openStorage({ dataDir: opts.dataDir, groupCommit: true, checkpointInWorker: true, walMaxBytes: opts.walMaxBytes ?? walMaxBytesFromEnv(process.env), onTiming: (op, ms) => metrics.observeStorage(op, ms) });
  }
  const ownsStorage = !opts.storage;
  // Every reader and writer below (routes, authentication's bootstrap tokens, namespace
  // finalization) goes through this one layer, whatever the backend.
  if (opts.encryptionKeyFile) storage = new EncryptingStorage(storage, new Keyring(loadOrCreateKeyFile(opts.encryptionKeyFile)));
  const log = (msg: string, err?: unknown) => app.log.error({ err }, msg);
  const namespaces = new NamespaceController(storage, (msg, err) => (opts.logger ? log(msg, err) : console.error(msg, err)));
  const serviceRange = parseServiceRange(opts.serviceClusterIPRange);
  const priorityClasses = new PriorityClasses(storage, (msg, err) => (opts.logger ? log(msg, err) : console.error(msg, err)));
  const serviceAccountTokens = opts.authentication?.serviceAccountKey ? new ServiceAccountTokens(opts.authentication.serviceAccountKey) : undefined;
  // Pods get a ServiceAccount token volume only where tokens can be issued.
  const serviceAccounts = serviceAccountTokens ? new ServiceAccountAdmission(storage, (msg, err) => (opts.logger ? log(msg, err) : console.error(msg, err))) : undefined;
  const stores = new Map<string, ResourceStore>();
  for (const r of RESOURCES) {
    const s = new ResourceStore(r, storage, namespaces, { serviceRange, priorityClasses, serviceAccounts });
    stores.set(s.key, s);
  }
  await migrateClusterIPs(storage, serviceRange);
  // Leaked address claims are given back, missing ones taken (kube-apiserver's repair controllers).
  const claimRepair = new ClaimRepair(storage, { ...opts.claimRepair, log: (msg, err) => (opts.logger ? app.log.warn({ err }, msg) : console.error(`skiff apiserver: ${msg}${err ? `: ${(err as Error).message ?? err}` : ''}`)) });
  await claimRepair.runOnce();
  claimRepair.start();
  // Authorization (ADR 0018): the default policy in place and the caches filled before any request.
  const authorization = new Authorization({ storage, stores, modes: opts.authorizationModes, log: (msg, err) => (opts.logger ? log(msg, err) : console.error(`skiff apiserver: ${msg}${err ? `: ${(err as Error).message ?? err}` : ''}`)) });
  for (const s of stores.values()) s.admission = authorization.admission;
  const authenticator = new Authenticator({ storage, staticTokens: opts.authentication?.staticTokens, serviceAccountTokens, tokenCacheMs: opts.authentication?.tokenCacheMs });
  const audit = opts.audit ? new AuditLog(opts.audit) : undefined;
  const authFailures = new AuthFailureLimiter(opts.limits?.authFailures);
  const inflight = new InflightCounter(opts.limits);
  const context: ServerContext = { storage, stores, namespaces, metrics, watchMaxBufferedBytes: opts.watchMaxBufferedBytes, authenticator, authorizer: authorization.authorizer, serviceAccountTokens, caCert: opts.tls?.ca, audit, authFailures, inflight, agentTls: opts.tls?.kubeletClient ? { ca: opts.tls.ca, ...opts.tls.kubeletClient } : undefined };
  app.decorate('skiff', context);

  // Audit first: a request refused by authentication or a limit is audited too.
  if (audit) registerAudit(app, audit);
  // Then nothing runs for a request before it is known who sent it.
  registerAuthentication(app, authenticator, authFailures);
  // Once the user is known: the audit policy's decision and the RequestReceived event.
  if (audit) registerAuditReceived(app, audit);
  // The in-flight limits read the user (system:masters is exempt, as in Kubernetes).
  registerInflightLimits(app, inflight);
  // Then impersonation and authorization (ADR 0018), before any body is read or route runs.
  registerAuthorization(app, authorization.authorizer);

  registerBodyParser(app);
  app.addHook('onRequest', (_req, reply, done) => {
    reply.header('cache-control', 'no-cache, private');
    done();
  });
  // Nothing is acknowledged before it is durable: with group commit, a reply (to a write, or a
  // read that may have seen one) waits until the open batch has committed. Watch and log streams
  // are hijacked and skip this hook; storage publishes watch events only after the commit.
  app.addHook('onSend', (_req, _reply, payload, done) => {
    if (!storage!.hasPendingWrites?.()) return done(null, payload);
    storage!.flush!().then(
      () => done(null, payload),
      (err: Error) => done(err),
    );
  });
  app.addHook('onResponse', (req, reply, done) => {
    const cfg = req.routeOptions.config as Partial<RouteConfig> | undefined;
    if (cfg?.resource) {
      const q = req.query as Record<string, string | undefined>;
      const verb = cfg.verb === 'list' && q.watch !== undefined && parseBool(q.watch) ? 'watch' : cfg.verb!;
      metrics.observeRequest(verb, cfg.resource, reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  });
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const e = toApiError(err, app.log, opts.logger !== undefined && opts.logger !== false);
    if (e.reason === 'InternalError') {
      app.log.error({ err, url: req.url, method: req.method }, 'request failed');
      if (!opts.logger) console.error(`skiff apiserver: ${req.method} ${req.url} failed:`, err);
    }
    // As kube-apiserver, a suggested wait (a 429 from pods/eviction) is also a Retry-After header.
    if (e.details?.retryAfterSeconds) reply.header('retry-after', String(e.details.retryAfterSeconds));
    reply.code(e.code).header('cache-control', 'no-cache, private').type('application/json').send(JSON.stringify(e.toStatus()));
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('application/json').send(JSON.stringify(notFoundPath().toStatus()));
  });

  registerHealthRoutes(app, metrics);
  registerCaRoute(app, opts.tls?.ca);
  registerSelfSubjectReview(app);
  registerAccessReviews(app, context);
  registerTokenReview(app, context);
  registerDiscoveryRoutes(app);
  registerOpenApiRoutes(app);
  registerResourceRoutes(app, context);
  const execRelay = registerExecUpgrade(app.server as import('node:http').Server, context);

  await namespaces.start([...stores.values()].filter((s) => s.namespaced));
  await ensureBuiltinStorageClass(storage);
  await authorization.start();
  app.addHook('onClose', () => authorization.close());
  // Before the storage closes under it (hooks run in the order they were added).
  app.addHook('onClose', () => claimRepair.close());
  await priorityClasses.start();
  await serviceAccounts?.start();
  app.addHook('onClose', (_app, done) => {
    namespaces.close();
    priorityClasses.close();
    serviceAccounts?.close();
    execRelay.close();
    if (ownsStorage) storage!.close();
    done();
  });
  return app;
}

/** Everything thrown in a request becomes a Kubernetes Status; only true server faults are 500. */
function toApiError(err: unknown, _log: FastifyBaseLogger, _verbose: boolean): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof PatchError) return new ApiError(err.code, err.reason, err.message, err.causes.length ? { causes: err.causes } : undefined);
  if (err instanceof StorageError) {
    switch (err.code) {
      case 'NotFound':
        return new ApiError(404, 'NotFound', err.message);
      case 'AlreadyExists':
        return new ApiError(409, 'AlreadyExists', err.message);
      case 'Conflict':
        return new ApiError(409, 'Conflict', err.message);
      case 'Expired':
        return new ApiError(410, 'Expired', err.message);
      case 'Unavailable':
        return serviceUnavailable(err.message);
      case 'TooLarge':
        return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: ${err.message}`);
    }
  }
  const fe = err as FastifyError;
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode < 500) {
    if (fe.statusCode === 413 || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return tooLarge(BODY_LIMIT);
    if (fe.statusCode === 415) return unsupportedMediaType('', OBJECT_MEDIA_TYPES);
    return new ApiError(fe.statusCode, fe.statusCode === 404 ? 'NotFound' : 'BadRequest', fe.message);
  }
  return internal((err as Error)?.message ?? String(err));
}
