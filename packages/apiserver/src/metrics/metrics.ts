// Prometheus metrics of the API server. A private registry per app (tests build many apps in one
// process). Labelled children are cached so the per-request cost is two map lookups, an
// increment and a histogram observation.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Storage } from '../storage/types.ts';

export interface ApiMetrics {
  registry: Registry;
  observeRequest(verb: string, resource: string, code: number, seconds: number): void;
  watchOpened(resource: string): void;
  watchClosed(resource: string): void;
  /** A watcher was dropped for falling too far behind (its unsent bytes past the bound). */
  watchTerminated(resource: string): void;
  /** One storage operation's duration (fed by the storage's onTiming hook). */
  observeStorage(op: string, ms: number): void;
}

export function createMetrics(storageRef: () => Storage | undefined, opts: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb and resource.',
    labelNames: ['verb', 'resource'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const watches = new Gauge({
    name: 'apiserver_watch_open',
    help: 'Number of open watch streams by resource.',
    labelNames: ['resource'],
    registers: [registry],
  });
  // Kubernetes' name: watchers closed because they could not keep up.
  const terminated = new Counter({
    name: 'apiserver_terminated_watchers_total',
    help: 'Counter of watchers closed due to unresponsiveness, by resource.',
    labelNames: ['resource'],
    registers: [registry],
  });
  const storageLatency = new Histogram({
    name: 'apiserver_storage_duration_seconds',
    help: 'Latency of storage operations in seconds by operation.',
    labelNames: ['operation'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  new Gauge({
    name: 'apiserver_storage_db_size_bytes',
    help: 'Size of the SQLite database (main file plus write-ahead log) in bytes.',
    registers: [registry],
    collect() {
      const s = storageRef()?.stats();
      if (s) this.set(s.dbBytes + s.walBytes);
    },
  });
  new Gauge({
    name: 'apiserver_storage_revision',
    help: 'Current storage revision (resourceVersion).',
    registers: [registry],
    collect() {
      const st = storageRef();
      if (st) this.set(st.currentRevision());
    },
  });

  const requestChildren = new Map<string, { inc(): void }>();
  const durationChildren = new Map<string, { observe(v: number): void }>();
  const storageChildren = new Map<string, { observe(v: number): void }>();
  return {
    registry,
    observeRequest(verb, resource, code, seconds) {
      const k = `${verb}|${resource}|${code}`;
      let c = requestChildren.get(k);
      if (!c) requestChildren.set(k, (c = requests.labels(verb, resource, String(code))));
      c.inc();
      const dk = `${verb}|${resource}`;
      let d = durationChildren.get(dk);
      if (!d) durationChildren.set(dk, (d = duration.labels(verb, resource)));
      d.observe(seconds);
    },
    watchOpened(resource) {
      watches.labels(resource).inc();
    },
    watchClosed(resource) {
      watches.labels(resource).dec();
    },
    watchTerminated(resource) {
      terminated.labels(resource).inc();
    },
    observeStorage(op, ms) {
      let h = storageChildren.get(op);
      if (!h) storageChildren.set(op, (h = storageLatency.labels(op)));
      h.observe(ms / 1000);
    },
  };
}
