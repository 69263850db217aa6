// What every route needs from the running server.
import type { Storage } from '../storage/types.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { NamespaceController } from '../registry/namespaces.ts';
import type { ApiMetrics } from '../metrics/metrics.ts';

export interface ServerContext {
  storage: Storage;
  /** By storage key (`pods`, `apps/deployments`). */
  stores: Map<string, ResourceStore>;
  namespaces: NamespaceController;
  metrics: ApiMetrics;
  /** Unsent bytes beyond which a slow watcher is disconnected. */
  watchMaxBufferedBytes?: number;
}
