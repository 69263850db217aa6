// In-memory object storage for the fake API server: one global resourceVersion counter (as etcd
// has), a bounded history of changes for watches to replay, and compaction that makes old
// versions answer 410.
import { randomUUID } from 'node:crypto';
import { apiVersionOf, type KubeObject, type ResourceInfo } from '@skiff/api';
import { ApiError } from '../errors.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  resKey: string;
  type: ChangeType;
  obj: KubeObject;
  /** The object before a MODIFIED change, so watchers can tell when a selector stops matching. */
  prev?: KubeObject;
}

export function resKeyOf(res: ResourceInfo): string {
  return `${res.group}/${res.plural}`;
}

export function objectKey(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

export function statusError(code: number, reason: string, message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code });
}

export function notFound(res: ResourceInfo, name: string): ApiError {
  return statusError(404, 'NotFound', `${res.plural}${res.group ? '.' + res.group : ''} "${name}" not found`, { name, group: res.group || undefined, kind: res.plural });
}

export function conflict(res: ResourceInfo, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${res.plural} "${name}": ${why}`, { name, group: res.group || undefined, kind: res.plural });
}

export class FakeStore {
  private rv = 0;
  /** Changes with rv > compactedRv are all in `history`; older versions answer 410. */
  private compactedRv = 0;
  private history: Change[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly historyLimit: number;

  constructor(historyLimit = 10_000) {
    this.historyLimit = historyLimit;
  }

  get currentRv(): number {
    return this.rv;
  }

  get(res: ResourceInfo, ns: string | undefined, name: string): KubeObject | undefined {
    const obj = this.bucket(res).get(objectKey(ns, name));
    return obj && structuredClone(obj);
  }

  /** Current objects sorted by key, optionally in one namespace. */
  list(res: ResourceInfo, ns?: string): KubeObject[] {
    return [...this.bucket(res).entries()]
      .filter(([, o]) => !ns || o.metadata.namespace === ns)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  create(res: ResourceInfo, input: KubeObject, opts: { dryRun?: boolean } = {}): KubeObject {
    const meta = { ...input.metadata };
    if (meta.resourceVersion) throw statusError(400, 'BadRequest', 'resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomUUID().slice(0, 5);
    if (!meta.name) throw statusError(422, 'Invalid', `${res.kind} is invalid: metadata.name: Required value: name or generateName is required`, { kind: res.kind });
    const key = objectKey(meta.namespace, meta.name);
    if (this.bucket(res).has(key)) {
      throw statusError(409, 'AlreadyExists', `${res.plural} "${meta.name}" already exists`, { name: meta.name, group: res.group || undefined, kind: res.plural });
    }
    const obj: KubeObject = {
      ...structuredClone(input),
      apiVersion: apiVersionOf(res),
      kind: res.kind,
      metadata: { ...meta, uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), generation: 1, resourceVersion: undefined },
    };
    if (opts.dryRun) return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
    return this.commit(res, key, 'ADDED', obj);
  }

  /**
   * Replaces an object with `change(current)`. A resourceVersion on the result must match the
   * stored one (optimistic concurrency); system metadata is kept from the stored object.
   */
  update(res: ResourceInfo, ns: string | undefined, name: string, change: (current: KubeObject) => KubeObject): KubeObject {
    const key = objectKey(ns, name);
    const current = this.bucket(res).get(key);
    if (!current) throw notFound(res, name);
    const next = change(structuredClone(current));
    const wantRv = next.metadata.resourceVersion;
    if (wantRv && wantRv !== current.metadata.resourceVersion) throw conflict(res, name);
    const specChanged = JSON.stringify(next.spec) !== JSON.stringify(current.spec);
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    next.metadata = {
      ...next.metadata,
      name: current.metadata.name,
      namespace: current.metadata.namespace,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    };
    return this.commit(res, key, 'MODIFIED', next, current);
  }

  delete(res: ResourceInfo, ns: string | undefined, name: string, preconditions: { uid?: string; resourceVersion?: string } = {}): KubeObject {
    const key = objectKey(ns, name);
    const current = this.bucket(res).get(key);
    if (!current) throw notFound(res, name);
    if (preconditions.uid && preconditions.uid !== current.metadata.uid) {
      throw conflict(res, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(res, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    return this.commit(res, key, 'DELETED', structuredClone(current));
  }

  /** Changes after `rv`, or undefined when some of them were compacted away (410). */
  changesSince(rv: number): Change[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((c) => c.rv > rv);
  }

  /** Forgets all history: watches from any version before now answer 410 Expired. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  subscribe(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(res: ResourceInfo, key: string, type: ChangeType, obj: KubeObject, prev?: KubeObject): KubeObject {
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    if (type === 'DELETED') this.bucket(res).delete(key);
    else this.bucket(res).set(key, obj);
    const change: Change = { rv: this.rv, resKey: resKeyOf(res), type, obj, prev };
    this.history.push(change);
    if (this.history.length > this.historyLimit) this.compactedRv = this.history.shift()!.rv;
    for (const l of this.listeners) l(change);
    return structuredClone(obj);
  }

  private bucket(res: ResourceInfo): Map<string, KubeObject> {
    const k = resKeyOf(res);
    let b = this.objects.get(k);
    if (!b) this.objects.set(k, (b = new Map()));
    return b;
  }
}
