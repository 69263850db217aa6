// Typed REST verbs over any resource descriptor. Objects go out and come back as plain JSON;
// the descriptor decides the path (core `/api/v1`, groups `/apis/G/V`, namespaced or not).
import { apiVersionOf, type KubeObject, type ObjectMeta, PODS, EVENTS } from '@skiff/api';
import type { Status } from './errors.ts';
import { queryString, resourcePath, type ResourceRef } from './paths.ts';
import { Transport, type HttpRequest, type TransportOptions } from './transport.ts';
import { openWatch, type WatchEvent, type WatchHandle, type WatchOptions } from './watch.ts';

export type RestClientOptions = TransportOptions;

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListOptions {
  /** Omit to list across all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WriteOptions {
  /** Validate and answer without storing (`dryRun=All`). */
  dryRun?: boolean;
  fieldManager?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take over conflicting fields. */
  force?: boolean;
  /** e.g. `status` or `scale`. */
  subresource?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export class RestClient {
  readonly transport: Transport;

  constructor(opts: RestClientOptions) {
    this.transport = new Transport(opts);
  }

  async get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.call<T>({ method: 'GET', path: resourcePath(res, { namespace, name }) });
  }

  async list<T extends KubeObject = KubeObject>(res: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    const { namespace, ...query } = opts;
    return this.call<KubeList<T>>({ method: 'GET', path: resourcePath(res, { namespace }) + queryString({ ...query }) });
  }

  /** Creates `obj` in `obj.metadata.namespace` (required for namespaced resources). */
  async create<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = resourcePath(res, { namespace: namespaceOf(res, obj.metadata) }) + writeQuery(opts);
    return this.call<T>({ method: 'POST', path, body: JSON.stringify(obj) });
  }

  /** Replaces the object; a `metadata.resourceVersion` makes it conditional (409 when stale). */
  async update<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(res, obj, undefined, opts);
  }

  async updateStatus<T extends KubeObject>(res: ResourceRef, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(res, obj, 'status', opts);
  }

  async patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    patchType: PatchType = 'merge',
    opts: PatchOptions = {},
  ): Promise<T> {
    const path =
      resourcePath(res, { namespace, name, subresource: opts.subresource }) +
      queryString({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, force: opts.force });
    return this.call<T>({ method: 'PATCH', path, body: JSON.stringify(patch), contentType: PATCH_CONTENT_TYPES[patchType] });
  }

  /**
   * Deletes one object. The server answers with the object while graceful deletion is pending
   * (or finalizers remain) and with a Success Status once it is gone.
   */
  async delete<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const { dryRun, ...rest } = opts;
    const body = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...rest, ...(dryRun ? { dryRun: ['All'] } : {}) });
    return this.call<T | Status>({ method: 'DELETE', path: resourcePath(res, { namespace, name }), body });
  }

  /** e.g. `getSubresource(DEPLOYMENTS, 'default', 'web', 'scale')` gives an autoscaling/v1 Scale. */
  async getSubresource<T = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, subresource: string): Promise<T> {
    return this.call<T>({ method: 'GET', path: resourcePath(res, { namespace, name, subresource }) });
  }

  /** POST to a subresource (e.g. `serviceaccounts/NAME/token`, a TokenRequest) and its answer. */
  async createSubresource<T = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: unknown): Promise<T> {
    return this.call<T>({ method: 'POST', path: resourcePath(res, { namespace, name, subresource }), body: JSON.stringify(body) });
  }

  async updateSubresource<T = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: unknown): Promise<T> {
    return this.call<T>({ method: 'PUT', path: resourcePath(res, { namespace, name, subresource }), body: JSON.stringify(body) });
  }

  /** Binds a pod to a node (`POST pods/NAME/binding`), as the scheduler does. `uid` guards against a recreated pod. */
  async bind(namespace: string, podName: string, nodeName: string, opts: { uid?: string } = {}): Promise<Status> {
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: podName, namespace, ...(opts.uid ? { uid: opts.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    return this.call<Status>({ method: 'POST', path: resourcePath(PODS, { namespace, name: podName, subresource: 'binding' }), body: JSON.stringify(binding) });
  }

  /** Creates a core/v1 Event in `event.metadata.namespace`. */
  async createEvent(event: KubeObject): Promise<KubeObject> {
    return this.create(EVENTS, { ...event, apiVersion: event.apiVersion ?? apiVersionOf(EVENTS), kind: event.kind ?? 'Event' });
  }

  /** Starts one watch request; see `openWatch` for the contract of `onDone`. */
  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (err?: Error) => void,
  ): WatchHandle {
    return openWatch(this.transport, res, opts, onEvent, onDone);
  }

  /** Authenticates with a new (rotated) client certificate from now on; see Transport.setClientCertificate. */
  setClientCertificate(cert: string, key: string): void {
    this.transport.setClientCertificate(cert, key);
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.transport.close();
  }

  private async put<T extends KubeObject>(res: ResourceRef, obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const name = obj.metadata.name;
    if (!name) throw new TypeError(`update of ${res.plural} needs metadata.name`);
    const path = resourcePath(res, { namespace: namespaceOf(res, obj.metadata), name, subresource }) + writeQuery(opts);
    return this.call<T>({ method: 'PUT', path, body: JSON.stringify(obj) });
  }

  private async call<T>(req: HttpRequest): Promise<T> {
    const { body } = await this.transport.request(req);
    return (body ? JSON.parse(body) : undefined) as T;
  }
}


function namespaceOf(res: ResourceRef, meta: ObjectMeta): string | undefined {
  if (res.scope === 'Cluster') return undefined;
  if (!meta.namespace) throw new TypeError(`${res.plural} are namespaced: set metadata.namespace`);
  return meta.namespace;
}

function writeQuery(opts: WriteOptions): string {
  return queryString({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager });
}
