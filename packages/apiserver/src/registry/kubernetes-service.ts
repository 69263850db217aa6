// Keeps the `kubernetes` Service and its endpoints (plans in ./kubernetes-endpoints.ts), on every
// API server, every 10 s (kube-apiserver's EndpointInterval) and at start:
//   1. the Service exists (made again if someone deleted it), ClusterIP the range's first address;
//   2. this server's endpoint Lease is renewed (15 s, kube-apiserver's master lease TTL);
//   3. expired Leases are deleted: a server that stopped without saying so leaves within ~25 s;
//   4. the Endpoints and EndpointSlices list the servers with a live Lease.
// A server stopping cleanly deletes its Lease and takes itself out at once (RemoveEndpoints).
// Writes go through the resource stores, so they are validated and watchers see them.
import { ENDPOINT_SLICES, ENDPOINTS, LEASES, SERVICES, deepEqual, type KubeObject, type ResourceInfo } from '@skiff/api';
import { ApiError } from '../errors/status.ts';
import { unpinned, type ResourceStore } from './store.ts';
import { storageKeyOf } from './strategy.ts';
import {
  ENDPOINT_LEASE_NAMESPACE,
  endpointLease,
  endpointLeaseName,
  KUBERNETES_SERVICE,
  KUBERNETES_SERVICE_NAMESPACE,
  kubernetesEndpoints,
  kubernetesEndpointSlices,
  kubernetesService,
  liveEndpoints,
  MANAGED_BY_APISERVER,
  type ApiEndpoint,
} from './kubernetes-endpoints.ts';

export interface KubernetesServiceOptions {
  stores: ReadonlyMap<string, ResourceStore>;
  /** The Service's ClusterIP (the service range's first address). */
  serviceIP: string;
  /** The API server's secure port: the Service's targetPort. */
  port: number;
  /** Where pods reach this server; none: it lists no endpoint (it serves on loopback only). */
  advertise?: ApiEndpoint;
  /** Default 15. */
  leaseSeconds?: number;
  /** Default 10 000. */
  intervalMs?: number;
  log(message: string, err?: unknown): void;
  now?: () => number;
}

export class KubernetesServiceReconciler {
  private readonly o: KubernetesServiceOptions;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastError = '';

  constructor(o: KubernetesServiceOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
  }

  private store(r: ResourceInfo): ResourceStore {
    return this.o.stores.get(storageKeyOf(r))!;
  }

  /** Reconciles once, then every interval. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Stops reconciling; this server's Lease goes and the endpoints are rewritten without it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    if (!this.o.advertise) return;
    try {
      await ignoreNotFound(this.store(LEASES).delete(ENDPOINT_LEASE_NAMESPACE, endpointLeaseName(this.o.advertise)));
      await this.reconcileEndpoints();
    } catch (err) {
      this.o.log('removing this server from the kubernetes endpoints failed', err);
    }
  }

  private tick(): Promise<void> {
    if (this.stopped) return this.running;
    this.running = this.reconcile().then(
      () => {
        this.lastError = '';
      },
      (err: unknown) => {
        // Once per distinct failure: it is retried every interval.
        const msg = (err as Error).message;
        if (msg !== this.lastError) this.o.log('reconciling the kubernetes Service failed (retried)', err);
        this.lastError = msg;
      },
    );
    return this.running;
  }

  async reconcile(): Promise<void> {
    await this.ensureService();
    if (this.o.advertise) await this.renewLease(this.o.advertise);
    await this.reconcileEndpoints();
  }

  private async ensureService(): Promise<void> {
    const services = this.store(SERVICES);
    if (await exists(services.get(KUBERNETES_SERVICE_NAMESPACE, KUBERNETES_SERVICE))) return;
    await ignoreAlreadyExists(services.create(KUBERNETES_SERVICE_NAMESPACE, kubernetesService(this.o.serviceIP, this.o.port)));
  }

  private async renewLease(e: ApiEndpoint): Promise<void> {
    const leases = this.store(LEASES);
    const want = endpointLease(e, this.now(), this.o.leaseSeconds ?? 15);
    await leases.update(ENDPOINT_LEASE_NAMESPACE, want.metadata.name!, {
      subresource: '',
      compute: (cur) => unpinned({ ...cur, metadata: { ...cur.metadata, labels: want.metadata.labels, annotations: want.metadata.annotations }, spec: want.spec }),
      onMissing: () => leases.create(ENDPOINT_LEASE_NAMESPACE, structuredClone(want)),
    });
  }

  /**
   * Writes the endpoints of the servers with a live Lease. The write is not conditional on the
   * Leases read, so a server that stops (deletes its Lease, writes itself out) while another's
   * pass runs can be written back in by that pass; the pass reads the Leases again after writing
   * and goes round while they changed (a few times at most), so a clean stop leaves at once rather
   * than at the next interval.
   */
  private async reconcileEndpoints(): Promise<void> {
    let written = await this.writeEndpoints();
    for (let round = 0; round < 3; round++) {
      const now = await this.liveNow();
      if (deepEqual(now, written)) return;
      written = await this.writeEndpoints();
    }
  }

  private async liveNow(): Promise<ApiEndpoint[]> {
    const leases = this.store(LEASES);
    return liveEndpoints((await leases.storage.list(leases.key, { namespace: ENDPOINT_LEASE_NAMESPACE })).items, this.now()).live;
  }

  /** One pass: expired Leases deleted, Endpoints and EndpointSlices written; returns the servers written. */
  private async writeEndpoints(): Promise<ApiEndpoint[]> {
    const leases = this.store(LEASES);
    const all = (await leases.storage.list(leases.key, { namespace: ENDPOINT_LEASE_NAMESPACE })).items;
    const { live, expired } = liveEndpoints(all, this.now());
    for (const l of expired) await ignoreNotFound(leases.delete(ENDPOINT_LEASE_NAMESPACE, l.metadata.name!, { preconditions: { resourceVersion: l.metadata.resourceVersion } }).catch(ignoreConflict));
    await this.put(this.store(ENDPOINTS), kubernetesEndpoints(live));
    const slices = this.store(ENDPOINT_SLICES);
    const wanted = kubernetesEndpointSlices(live);
    for (const s of wanted) await this.put(slices, s);
    const existing = (await slices.storage.list(slices.key, { namespace: KUBERNETES_SERVICE_NAMESPACE })).items.filter(
      (s) => s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY_APISERVER && !wanted.some((w) => w.metadata.name === s.metadata.name),
    );
    for (const s of existing) await ignoreNotFound(slices.delete(KUBERNETES_SERVICE_NAMESPACE, s.metadata.name!));
    return live;
  }

  /** Creates `want`, or updates the stored object when its labels or content differ. */
  private async put(store: ResourceStore, want: KubeObject): Promise<void> {
    const { apiVersion: _a, kind: _k, metadata, ...body } = want;
    await store.update(KUBERNETES_SERVICE_NAMESPACE, metadata.name!, {
      subresource: '',
      compute: (cur) => {
        const same = deepEqual(cur.metadata.labels ?? {}, metadata.labels) && Object.entries(body).every(([k, v]) => deepEqual(cur[k], v));
        return same ? cur : unpinned({ ...cur, ...body, metadata: { ...cur.metadata, labels: metadata.labels } });
      },
      onMissing: () => store.create(KUBERNETES_SERVICE_NAMESPACE, structuredClone(want)),
    });
  }
}

async function exists(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
  }
}

async function ignoreAlreadyExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
}

/** Another server renewed or removed the lease meanwhile: it is not expired any more, or gone. */
function ignoreConflict(err: unknown): void {
  if (!(err instanceof ApiError && err.code === 409)) throw err;
}
