// What every route needs from the running server.
import type { Storage } from '../storage/types.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { NamespaceController } from '../registry/namespaces.ts';
import type { ApiMetrics } from '../metrics/metrics.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import type { ServiceAccountTokens } from '../auth/service-account-tokens.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { AuthFailureLimiter } from '../limits/auth-failures.ts';
import type { InflightCounter } from '../limits/inflight.ts';
import type { Authorizer } from '../authz/authorizer.ts';
import type { AgentClientTls } from './agent-connection.ts';

export interface ServerContext {
  storage: Storage;
  /** By storage key (`pods`, `apps/deployments`). */
  stores: Map<string, ResourceStore>;
  namespaces: NamespaceController;
  metrics: ApiMetrics;
  /** Unsent bytes beyond which a slow watcher is disconnected. */
  watchMaxBufferedBytes?: number;
  /** Who sent a request; also used by the exec relay, whose upgrades fastify never sees. */
  authenticator: Authenticator;
  /** What a request may do (ADR 0018); also used by the exec relay and the access reviews. */
  authorizer: Authorizer;
  /** Issues ServiceAccount tokens (TokenRequest); absent when the server has no signing key. */
  serviceAccountTokens?: ServiceAccountTokens;
  /** PEM of the cluster CA (served on /cacerts), when serving TLS. */
  caCert?: string;
  /** The audit log (--audit-log-path), also for the exec relay's upgrades. */
  audit?: AuditLog;
  /** Failed authentication per source address, also for the exec relay's upgrades. */
  authFailures?: AuthFailureLimiter;
  /** Requests being served now, against --max-requests-inflight. */
  inflight?: InflightCounter;
  /** How the agents' endpoints are reached over TLS (./agent-connection.ts); plain HTTP without. */
  agentTls?: AgentClientTls;
}
