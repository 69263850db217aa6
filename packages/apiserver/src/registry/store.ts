// One ResourceStore per resource: the write semantics of kube-apiserver's generic registry
// (create, update with optimistic concurrency, status updates, graceful and finalizer-driven
// deletion) on top of the Storage interface. HTTP-free: routes decode, this decides, storage keeps.
import { randomUUID } from 'node:crypto';
import type { KubeObject, ResourceInfo } from '@skiff/api';
import { apiVersionOf, applyDefaults, formatTime, randomNameSuffix, validateCreate, validateUpdate } from '@skiff/api';
import type { Awaitable, ObjectKey, Storage } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';
import type { ResourceRef } from '../errors/status.ts';
import { ApiError, alreadyExists, badRequest, conflict, invalid, namespaceTerminating, notFound } from '../errors/status.ts';
import type { Requester, Strategy } from './strategy.ts';
import { deepEqual, storageKeyOf, strategyFor, type StrategyOptions } from './strategy.ts';
import type { UserInfo } from '../auth/user.ts';
import type { AdmissionAttributes, ValidatingAdmission } from './admission.ts';

export interface WriteOptions {
  dryRun?: boolean;
  /** Who asks (for admission that depends on it); writes the server makes itself have none. */
  user?: UserInfo;
  /** Who asks, for admission that reads it (a CertificateSigningRequest records its requester). */
  requester?: Requester;
}

export type NamespacePhase = 'Active' | 'Terminating';

/** What a namespaced create asks of the namespaces (NamespaceLifecycle admission): exists, and not Terminating. */
export interface NamespaceLookup {
  /** From the watch-fed view; undefined when the view does not have it (yet). */
  phase(name: string): NamespacePhase | undefined;
  /** The view's answer, or on a miss the stored namespace's (a live lookup, as Kubernetes' admission does). */
  lookup(name: string): Awaitable<NamespacePhase | undefined>;
  /**
   * A namespace this server has just marked for deletion: its view has it Terminating at once,
   * rather than when the watch delivers the write (a create this server takes after answering
   * the DELETE is refused). Other servers' views still trail by their watch's delay, as
   * Kubernetes' informer-fed namespace admission does; the namespace controller removes what
   * lands meanwhile.
   */
  terminating?(ns: KubeObject): void;
}

export interface UpdateOptions extends WriteOptions {
  /**
   * The desired object from the current one (already type-checked, written by the client). One
   * that carries a resourceVersion pins the write to it: a conflict is a 409, not a recompute. A
   * server-side writer that derives its object from `current` returns it `unpinned`.
   */
  compute: (current: KubeObject) => KubeObject;
  /** Which part the write may change: the main resource, `status`, or `raw` (everything, for bindings). */
  subresource: Subresource;
  /** Creates the object when it does not exist (PUT of kinds that allow create-on-update, apply). */
  onMissing?: () => Promise<KubeObject>;
}

/** `next` without the resourceVersion it was read at: the store re-reads and recomputes it on a conflict. */
export function unpinned(next: KubeObject): KubeObject {
  const { resourceVersion: _read, ...metadata } = next.metadata;
  return { ...next, metadata };
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone; false when it was only marked (grace period, finalizers). */
  deleted: boolean;
}

/**
 * '' the main resource, 'status' the status subresource, 'raw' a server-made change taken as
 * computed (binding), 'ephemeralcontainers' a write the strategy prepares (Strategy.subresourceUpdates).
 */
export type Subresource = '' | 'status' | 'raw' | 'ephemeralcontainers' | 'approval';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The latest instant RFC 3339 can write: a grace period of up to 2^63 s ends there. */
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** When a deletion with this grace period is due. */
function deletionTime(graceSeconds: number): string {
  return formatTime(Math.min(Date.now() + graceSeconds * 1000, MAX_TIME_MS));
}

function rvOf(o: KubeObject): number {
  return Number(o.metadata.resourceVersion);
}

const MAX_RETRIES = 16;

/** Runs async sections one after another. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

export class ResourceStore {
  readonly info: ResourceInfo;
  readonly key: string;
  readonly ref: ResourceRef;
  readonly strategy: Strategy;
  readonly apiVersion: string;
  readonly namespaced: boolean;
  readonly storage: Storage;
  private readonly namespaces: NamespaceLookup;
  private readonly assignLock = new Mutex();
  /** Validating admission for writes that carry a user (set once by the app). */
  admission: ValidatingAdmission | undefined;

  constructor(info: ResourceInfo, storage: Storage, namespaces: NamespaceLookup, strategyOptions: StrategyOptions = {}) {
    this.info = info;
    this.key = storageKeyOf(info);
    this.ref = { plural: info.plural, group: info.group, kind: info.kind };
    this.strategy = strategyFor(info, strategyOptions);
    this.apiVersion = apiVersionOf(info);
    this.namespaced = info.scope === 'Namespaced';
    this.storage = storage;
    this.namespaces = namespaces;
  }

  objectKey(namespace: string, name: string): ObjectKey {
    return { resource: this.key, namespace: this.namespaced ? namespace : '', name };
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    const o = await this.storage.get(this.objectKey(namespace, name));
    if (!o) throw notFound(this.ref, name);
    return o;
  }

  /** Checks apiVersion/kind of a decoded body against this resource, fills them when absent. */
  checkTypeMeta(obj: KubeObject, expectKind = this.info.kind, expectApiVersion = this.apiVersion): void {
    // Checked before they are interpolated into a message: an object there would throw (a 500).
    if ((obj.kind !== undefined && obj.kind !== null && typeof obj.kind !== 'string') || (obj.apiVersion !== undefined && obj.apiVersion !== null && typeof obj.apiVersion !== 'string')) {
      throw badRequest(`apiVersion and kind must be strings, to be handled as a ${expectKind}`);
    }
    if ((obj.kind && obj.kind !== expectKind) || (obj.apiVersion && obj.apiVersion !== expectApiVersion)) {
      throw badRequest(
        `${obj.kind || 'object'} in version "${obj.apiVersion || ''}" cannot be handled as a ${expectKind}: ` +
          `expected apiVersion "${expectApiVersion}" and kind "${expectKind}"`,
      );
    }
    obj.apiVersion = expectApiVersion;
    obj.kind = expectKind;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
  }

  /** Namespace in body vs URL, as Kubernetes' rest.BeforeCreate/BeforeUpdate. */
  private checkNamespace(obj: KubeObject, namespace: string): void {
    if (!this.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    const ns = obj.metadata.namespace;
    if (ns && ns !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = namespace;
  }

  private admit(user: UserInfo | undefined, operation: AdmissionAttributes['operation'], subresource: string, namespace: string, name: string, object: KubeObject | undefined, old: KubeObject | undefined): void {
    if (!user || !this.admission) return;
    this.admission({ operation, resource: this.key, ref: this.ref, subresource, namespace: this.namespaced ? namespace : '', name, object, old, user });
  }

  private validate(obj: KubeObject, old?: KubeObject): void {
    const causes = old ? validateUpdate(this.info, obj, old) : validateCreate(this.info, obj);
    if (causes.length > 0) throw invalid(this.ref, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
  }

  /** Create: the object is the decoded body (already type-checked); returns what was stored. */
  async create(namespace: string, obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    this.checkNamespace(obj, namespace);
    const meta = obj.metadata;
    if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (this.namespaced) {
      const phase = this.namespaces.phase(namespace) ?? (await this.namespaces.lookup(namespace));
      if (phase === undefined) throw notFound({ plural: 'namespaces', group: '' }, namespace);
      if (phase === 'Terminating') throw namespaceTerminating(this.ref, meta.name ?? meta.generateName ?? '', namespace);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = formatTime();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (this.strategy.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    if (this.strategy.initialStatus) {
      const st = this.strategy.initialStatus(obj);
      if (st === undefined) delete obj.status;
      else obj.status = st;
    }
    // The name first, so that what prepareCreate derives from it (a Job's job-name label) is set.
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = meta.generateName + randomNameSuffix();
    this.strategy.prepareCreate?.(obj);
    const defaulted = applyDefaults(this.info, obj);
    // Mutating admission that reads other objects (Priority); it refuses with a 403.
    await this.strategy.admit?.(defaulted, opts.requester);
    this.validate(defaulted);
    this.admit(opts.user, 'CREATE', '', namespace, defaulted.metadata.name ?? '', defaulted, undefined);
    if (!this.strategy.assignOnCreate) return opts.dryRun ? defaulted : this.storeNew(namespace, defaulted, generated ? meta.generateName : undefined);
    // Assignment reads what is allocated and the create takes it: one at a time per resource.
    return this.assignLock.run(async () => {
      const assigned = await this.strategy.assignOnCreate!(defaulted, this.storage, !!opts.dryRun, opts.requester);
      if (assigned.length > 0) throw invalid(this.ref, defaulted.metadata.name ?? '', assigned);
      if (opts.dryRun) return defaulted;
      try {
        return await this.storeNew(namespace, defaulted, generated ? meta.generateName : undefined);
      } catch (e) {
        await this.strategy.releaseOnDelete?.(defaulted, this.storage);
        throw e;
      }
    });
  }

  /** Writes a new object; a generated name that collides is retried with a new suffix. */
  private async storeNew(namespace: string, defaulted: KubeObject, generateName: string | undefined): Promise<KubeObject> {
    const generated = generateName !== undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.storage.create(this.objectKey(namespace, defaulted.metadata.name!), defaulted);
      } catch (e) {
        if (e instanceof StorageError && e.code === 'AlreadyExists') {
          // A generated name collided: Kubernetes retries with a new suffix.
          if (generated && attempt < 8) {
            defaulted.metadata.name = generateName + randomNameSuffix();
            continue;
          }
          throw alreadyExists(this.ref, defaulted.metadata.name!);
        }
        throw e;
      }
    }
  }

  /**
   * Read-modify-write with retries (GuaranteedUpdate): `compute` gets the current object and
   * returns the desired one (already type-checked, written by the client); it is re-run on a
   * conflict unless the client pinned a resourceVersion. Returns the stored object; a no-op
   * returns the current one without a new revision.
   */
  async update(namespace: string, name: string, opts: UpdateOptions): Promise<{ object: KubeObject; created: boolean }> {
    const { compute, subresource: sub, onMissing } = opts;
    const key = this.objectKey(namespace, name);
    // The first attempt may start from the server's cached copy (Storage.getCached) instead of a
    // read: the write is conditional on the copy's revision, so a stale copy costs a Conflict and
    // a real read. Whatever would be answered on the copy alone (a refusal, no change) is decided
    // again on a real read; a dry run, which writes nothing to check the copy, reads.
    let cached = opts.dryRun ? undefined : this.storage.getCached?.(key);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const guessed = cached;
      cached = undefined;
      const current = guessed ?? (await this.storage.get(key));
      if (!current) {
        if (onMissing) return { object: await onMissing(), created: true };
        throw notFound(this.ref, name);
      }
      let next: KubeObject;
      let pinned: string | undefined;
      try {
        const desired = compute(current);
        this.checkNamespace(desired, namespace);
        pinned = desired.metadata.resourceVersion;
        if (pinned && pinned !== current.metadata.resourceVersion) throw conflict(this.ref, name);
        next =
          sub === 'status' && !this.strategy.subresourceUpdates?.status ? this.prepareStatusUpdate(desired, current) : sub === 'raw' ? desired : sub === '' ? this.prepareUpdate(desired, current) : this.prepareSubresourceUpdate(sub, desired, current);
        next.metadata.resourceVersion = current.metadata.resourceVersion;
        this.admit(opts.user, 'UPDATE', sub === 'raw' ? 'binding' : sub, namespace, name, next, current);
      } catch (e) {
        if (!guessed) throw e;
        attempt--;
        continue;
      }
      if (deepEqual(next, current)) {
        if (!guessed) return { object: current, created: false };
        attempt--;
        continue;
      }
      if (opts.dryRun) return { object: next, created: false };
      try {
        if (this.shouldDeleteDuringUpdate(next, current)) {
          await this.storage.delete(key, rvOf(current));
          await this.strategy.releaseOnDelete?.(current, this.storage);
          return { object: next, created: false };
        }
        return { object: await this.storage.update(key, () => withTypeMetaFirst(next), rvOf(current), current), created: false };
      } catch (e) {
        if (e instanceof StorageError && (e.code === 'Conflict' || e.code === 'NotFound')) {
          if (pinned) throw e.code === 'Conflict' ? conflict(this.ref, name) : notFound(this.ref, name);
          continue;
        }
        throw e;
      }
    }
    throw conflict(this.ref, name, 'too many concurrent updates; please try again');
  }

  /** A full update of the main resource: system fields and status come from the stored object. */
  private prepareUpdate(desired: KubeObject, old: KubeObject): KubeObject {
    const m = desired.metadata;
    const om = old.metadata;
    if (m.name && m.name !== om.name) throw badRequest(`the name of the object (${m.name}) does not match the name on the URL (${om.name})`);
    if (m.uid && m.uid !== om.uid) throw conflict(this.ref, om.name!, `Precondition failed: UID in precondition: ${m.uid}, UID in object meta: ${om.uid}`);
    m.name = om.name;
    m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    setOrDelete(m, 'deletionTimestamp', om.deletionTimestamp);
    setOrDelete(m, 'deletionGracePeriodSeconds', om.deletionGracePeriodSeconds);
    setOrDelete(m, 'generation', om.generation);
    if (m.managedFields === undefined && om.managedFields !== undefined) m.managedFields = om.managedFields;
    if (this.strategy.statusSubresource) setOrDelete(desired, 'status', old.status);
    this.strategy.keepOnMainUpdate?.(desired, old);
    if (om.deletionTimestamp) {
      const had = new Set(om.finalizers ?? []);
      const added = (m.finalizers ?? []).filter((f) => !had.has(f));
      if (added.length > 0) {
        throw invalid(this.ref, om.name!, [
          { reason: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` },
        ]);
      }
    }
    let next = applyDefaults(this.info, desired);
    this.strategy.admitUpdate?.(next, old);
    const kept = this.strategy.keepOnUpdate?.(next, old) ?? [];
    if (kept.length > 0) throw invalid(this.ref, om.name!, kept);
    if (this.strategy.tracksGeneration && this.strategy.specChanged(next, old)) next.metadata.generation = (om.generation ?? 0) + 1;
    this.validate(next, old);
    return next;
  }

  /** A status update changes status only; spec and metadata come from the stored object (ResetObjectMetaForStatus). */
  private prepareStatusUpdate(desired: KubeObject, old: KubeObject): KubeObject {
    if (desired.metadata.name && desired.metadata.name !== old.metadata.name)
      throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
    const next: KubeObject = { ...old, metadata: { ...old.metadata } };
    setOrDelete(next, 'status', desired.status);
    // Field ownership is the one piece of metadata a status write updates (its manager's entry).
    if (desired.metadata.managedFields !== undefined) setOrDelete(next.metadata, 'managedFields', desired.metadata.managedFields);
    this.validate(next, old);
    return next;
  }

  /** A write through a subresource whose rules the strategy holds (pods/ephemeralcontainers). */
  private prepareSubresourceUpdate(sub: 'ephemeralcontainers' | 'approval' | 'status', desired: KubeObject, old: KubeObject): KubeObject {
    const rules = this.strategy.subresourceUpdates?.[sub];
    if (!rules) throw notFound(this.ref, old.metadata.name!);
    if (desired.metadata.name && desired.metadata.name !== old.metadata.name)
      throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
    const next = applyDefaults(this.info, rules.prepare(desired, old));
    if (this.strategy.tracksGeneration && this.strategy.specChanged(next, old)) next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    if (desired.metadata.managedFields !== undefined) setOrDelete(next.metadata, 'managedFields', desired.metadata.managedFields);
    const causes = rules.validate(next, old);
    if (causes.length > 0) throw invalid(this.ref, old.metadata.name!, causes);
    return next;
  }

  /** Kubernetes deletes during an update that removes the last finalizer of an object marked with grace 0. */
  private shouldDeleteDuringUpdate(next: KubeObject, old: KubeObject): boolean {
    if (!next.metadata.deletionTimestamp) return false;
    if ((next.metadata.finalizers ?? []).length > 0) return false;
    if ((old.metadata.finalizers ?? []).length === 0) return false;
    return !next.metadata.deletionGracePeriodSeconds;
  }

  /** DELETE of one object with Kubernetes' graceful / finalizer semantics. */
  async delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const key = this.objectKey(namespace, name);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const current = await this.storage.get(key);
      if (!current) throw notFound(this.ref, name);
      this.checkPreconditions(current, opts);
      this.admit(opts.user, 'DELETE', '', namespace, name, undefined, current);
      const plan = this.planDelete(current, opts);
      if (opts.dryRun) return { object: plan.object ?? current, deleted: plan.action === 'delete' };
      try {
        if (plan.action === 'none') return { object: current, deleted: false };
        if (plan.action === 'mark') {
          const marked = await this.storage.update(key, () => plan.object!, rvOf(current), current);
          if (this.info.kind === 'Namespace' && this.info.group === '') this.namespaces.terminating?.(marked);
          return { object: marked, deleted: false };
        }
        const gone = await this.storage.delete(key, rvOf(current));
        await this.strategy.releaseOnDelete?.(current, this.storage);
        return { object: gone, deleted: true };
      } catch (e) {
        if (e instanceof StorageError && (e.code === 'Conflict' || e.code === 'NotFound')) {
          if (e.code === 'NotFound') throw notFound(this.ref, name);
          continue;
        }
        throw e;
      }
    }
    throw conflict(this.ref, name, 'too many concurrent updates; please try again');
  }

  private checkPreconditions(current: KubeObject, opts: DeleteOptions): void {
    const p = opts.preconditions;
    if (!p) return;
    const name = current.metadata.name!;
    if (p.uid && p.uid !== current.metadata.uid)
      throw conflict(this.ref, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${current.metadata.uid}`);
    if (p.resourceVersion && p.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(
        this.ref,
        name,
        `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
  }

  /** Decides between deleting now, marking (deletionTimestamp), and leaving as is. Pure. */
  private planDelete(current: KubeObject, opts: DeleteOptions): { action: 'delete' | 'mark' | 'none'; object?: KubeObject } {
    const m = current.metadata;
    const graceful = this.strategy.defaultGracePeriod(current) > 0 || m.deletionGracePeriodSeconds !== undefined;
    let grace = opts.gracePeriodSeconds ?? this.strategy.defaultGracePeriod(current);
    if (grace < 0) grace = 0;
    const finalizers = computeFinalizers(m.finalizers ?? [], opts);
    const finalizersChanged = !deepEqual(finalizers, m.finalizers ?? []);

    if (m.deletionTimestamp) {
      // Already terminating: a repeated DELETE may only shorten the grace period (or change the GC finalizers).
      const currentGrace = m.deletionGracePeriodSeconds ?? 0;
      const shorten = graceful && opts.gracePeriodSeconds !== undefined && grace < currentGrace;
      if (!shorten && !finalizersChanged) return { action: 'none' };
      if (shorten && grace === 0 && finalizers.length === 0) return { action: 'delete' };
      const meta = { ...m };
      if (shorten) {
        meta.deletionTimestamp = deletionTime(grace);
        meta.deletionGracePeriodSeconds = grace;
      }
      setOrDelete(meta, 'finalizers', finalizers.length ? finalizers : undefined);
      if (finalizers.length === 0 && !meta.deletionGracePeriodSeconds) return { action: 'delete' };
      return { action: 'mark', object: { ...current, metadata: meta } };
    }

    // An object a controller must empty first (a Namespace with spec.finalizers) stays, whatever the options.
    const finalizingStatus = this.strategy.statusWhileFinalizing?.(current);
    if (finalizers.length === 0 && (!graceful || grace === 0) && !finalizingStatus) return { action: 'delete' };
    const meta = { ...m };
    meta.deletionTimestamp = deletionTime(graceful ? grace : 0);
    meta.deletionGracePeriodSeconds = graceful ? grace : 0;
    if (finalizers.length) meta.finalizers = finalizers;
    if (meta.generation !== undefined && meta.generation > 0) meta.generation += 1;
    const next: KubeObject = { ...current, metadata: meta };
    if (finalizingStatus) next.status = finalizingStatus;
    return { action: 'mark', object: next };
  }

  /** Removes every object of a namespace (or the cluster-scoped set) matching `filter`, each with DELETE semantics. */
  async deleteCollection(namespace: string | undefined, filter: ((o: KubeObject) => boolean) | undefined, opts: DeleteOptions): Promise<KubeObject[]> {
    const list = await this.storage.list(this.key, { namespace: this.namespaced ? namespace : undefined, filter });
    const out: KubeObject[] = [];
    for (const o of list.items) {
      try {
        out.push((await this.delete(o.metadata.namespace ?? '', o.metadata.name!, opts)).object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return out;
  }
}

/** The garbage-collection finalizers a DELETE asks for (propagationPolicy / orphanDependents). */
function computeFinalizers(existing: string[], opts: DeleteOptions): string[] {
  let policy = opts.propagationPolicy;
  if (!policy && opts.orphanDependents !== undefined) policy = opts.orphanDependents ? 'Orphan' : 'Background';
  if (!policy) return existing;
  const out = existing.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
  if (policy === 'Foreground') out.push(FOREGROUND_FINALIZER);
  if (policy === 'Orphan') out.push(ORPHAN_FINALIZER);
  // Background on a fresh object clears nothing it did not have.
  if (policy === 'Background' && out.length === existing.length) return existing;
  return out;
}

/** Objects are stored with apiVersion, kind, metadata first (list rendering relies on it). */
export function withTypeMetaFirst(o: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = o;
  return { apiVersion, kind, metadata, ...rest };
}

function setOrDelete<T extends object>(o: T, k: string, v: unknown): void {
  if (v === undefined) delete (o as Record<string, unknown>)[k];
  else (o as Record<string, unknown>)[k] = v;
}
