// Namespace lifecycle, owned by the API server itself: the built-in namespaces exist from the
// start, writes into missing or terminating namespaces are refused (from an in-memory view kept
// current by a storage watch, so the create hot path costs no extra read), and a deleted namespace
// is emptied in the background and then removed — the work of Kubernetes' namespace controller,
// done in-process because the data is the server's own.
import { formatTime, type KubeObject } from '@skiff/api';
import type { Awaitable, Storage, Watcher } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';
import type { NamespaceLookup, NamespacePhase, ResourceStore } from './store.ts';
import { NAMESPACE_FINALIZER } from './strategy.ts';

export type { NamespaceLookup, NamespacePhase };

export const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Kubernetes' NamespaceLifecycle admission refuses to delete these. */
export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

const RETRY_MS = 1000;

function namespacePhase(ns: KubeObject): NamespacePhase {
  return ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating' ? 'Terminating' : 'Active';
}

export class NamespaceController implements NamespaceLookup {
  private readonly storage: Storage;
  private readonly phases = new Map<string, NamespacePhase>();
  private readonly finalizing = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private watcher: Watcher | undefined;
  private stores: ResourceStore[] = [];
  private closed = false;
  private readonly log: (msg: string, err?: unknown) => void;

  constructor(storage: Storage, log: (msg: string, err?: unknown) => void) {
    this.storage = storage;
    this.log = log;
  }

  phase(name: string): NamespacePhase | undefined {
    return this.phases.get(name);
  }

  /**
   * The phase, read from storage when the view lacks the namespace: on etcd the view trails a
   * write by the watch's delay, and a namespace created a moment ago must take content at once
   * (`kubectl create namespace x && kubectl apply -n x ...`). Only a miss pays the read, and a
   * name that does not exist costs one read per refused create.
   */
  lookup(name: string): Awaitable<NamespacePhase | undefined> {
    const cached = this.phases.get(name);
    if (cached) return cached;
    const phaseOf = (ns: KubeObject | undefined) => (ns ? namespacePhase(ns) : undefined);
    const stored = this.storage.get({ resource: 'namespaces', namespace: '', name });
    return stored instanceof Promise ? stored.then(phaseOf) : phaseOf(stored);
  }

  /** Creates the built-in namespaces, loads the view and resumes any unfinished namespace deletion. */
  async start(namespacedStores: ResourceStore[]): Promise<void> {
    this.stores = namespacedStores;
    for (const name of BUILTIN_NAMESPACES) {
      if (await this.storage.get({ resource: 'namespaces', namespace: '', name })) continue;
      const ns: KubeObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, uid: crypto.randomUUID(), creationTimestamp: formatTime(), labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: [NAMESPACE_FINALIZER] },
        status: { phase: 'Active' },
      };
      try {
        await this.storage.create({ resource: 'namespaces', namespace: '', name }, ns);
      } catch (e) {
        if (!(e instanceof StorageError && e.code === 'AlreadyExists')) throw e;
      }
    }
    await this.sync();
  }

  private resync(): void {
    this.sync().catch((err) => {
      this.log('namespaces: relist after an expired watch failed, retrying', err);
      const t = setTimeout(() => this.resync(), RETRY_MS);
      t.unref();
      this.timers.add(t);
    });
  }

  /** Lists the namespaces and watches from there (again, when the storage expires the watch). */
  private async sync(): Promise<void> {
    if (this.closed) return;
    const list = await this.storage.list('namespaces');
    if (this.closed) return;
    this.phases.clear();
    for (const ns of list.items) this.observe(ns);
    this.watcher = this.storage.watch(
      'namespaces',
      {
        fromRevision: list.revision,
        onExpired: () => this.resync(),
      },
      (e) => {
        if (e.type === 'DELETED') this.phases.delete(e.object.metadata.name!);
        else this.observe(e.object);
      },
    );
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  terminating(ns: KubeObject): void {
    // Only ever forward: a namespace never leaves Terminating, so this cannot undo a newer state.
    if (namespacePhase(ns) === 'Terminating') this.observe(ns);
  }

  private observe(ns: KubeObject): void {
    const name = ns.metadata.name!;
    const phase = namespacePhase(ns);
    this.phases.set(name, phase);
    if (phase === 'Terminating') this.schedule(name, 0);
  }

  private schedule(name: string, delay: number): void {
    if (this.closed || this.finalizing.has(name)) return;
    this.finalizing.add(name);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.finalize(name).then(
        (done) => {
          this.finalizing.delete(name);
          if (!done) this.schedule(name, RETRY_MS);
        },
        (err) => {
          this.finalizing.delete(name);
          this.log(`namespace ${name}: finalization failed, retrying`, err);
          this.schedule(name, RETRY_MS);
        },
      );
    }, delay);
    t.unref();
    this.timers.add(t);
  }

  /** One pass: delete what is left in the namespace; remove the namespace once empty. True when done. */
  private async finalize(name: string): Promise<boolean> {
    if (this.closed) return true;
    // Each object gets ordinary DELETE semantics: graceful pods and objects with finalizers are
    // only marked and keep the namespace until they are gone.
    for (const store of this.stores) await store.deleteCollection(name, undefined, { propagationPolicy: 'Background' });
    let remaining = 0;
    for (const store of this.stores) remaining += (await store.storage.list(store.key, { namespace: name, limit: 1 })).items.length;
    if (remaining > 0) return false;
    const key = { resource: 'namespaces', namespace: '', name };
    const ns = await this.storage.get(key);
    if (!ns) return true;
    if ((ns.metadata.finalizers ?? []).length > 0) return false;
    try {
      await this.storage.delete(key);
    } catch (e) {
      if (e instanceof StorageError && e.code === 'NotFound') return true;
      throw e;
    }
    return true;
  }
}
