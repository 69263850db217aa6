// One resource mirrored in memory from a storage watch (kube-apiserver's authorizers and admission
// plugins read informers' listers): listed once at start, then kept current event by event; a watch that
// expires (etcd compacted under it) relists and rebuilds. What a request reads from here costs
// no storage access.
import type { KubeObject } from '@skiff/api';
import type { Storage, StorageEvent, Watcher } from './types.ts';

const RETRY_MS = 1000;

export interface CacheHandlers {
  /** The object was added or changed (`prev`: its last state here, if any). */
  upsert(obj: KubeObject, prev: KubeObject | undefined): void;
  delete(obj: KubeObject): void;
  /** Everything is about to be listed anew: forget all. */
  reset(): void;
}

export class WatchCache {
  private watcher: Watcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly byKey = new Map<string, KubeObject>();
  private readonly storage: Storage;
  private readonly resource: string;
  private readonly handlers: CacheHandlers | undefined;
  private readonly log: (msg: string, err?: unknown) => void;
  private readonly keep: boolean;
  private readonly passOver: ((e: StorageEvent) => boolean) | undefined;

  /**
   * `handlers`: told of every change (none: a plain view, read with get() and values()).
   * `keep: false`: objects are handed to the handlers but not kept here (get() finds nothing).
   * `passOver`: events the handlers would do nothing with, told from the event itself before its
   * object is parsed (only with `keep: false`: a kept object would go stale).
   */
  constructor(o: { storage: Storage; resource: string; handlers?: CacheHandlers; log: (msg: string, err?: unknown) => void; keep?: boolean; passOver?: (e: StorageEvent) => boolean }) {
    if (o.passOver && o.keep !== false) throw new Error('WatchCache: passOver needs keep: false');
    this.keep = o.keep ?? true;
    this.passOver = o.passOver;
    this.storage = o.storage;
    this.resource = o.resource;
    this.handlers = o.handlers;
    this.log = o.log;
  }

  start(): Promise<void> {
    return this.sync();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearTimeout(this.timer);
  }

  get(namespace: string, name: string): KubeObject | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  values(): IterableIterator<KubeObject> {
    return this.byKey.values();
  }

  private resync(): void {
    this.sync().catch((err) => {
      this.log(`${this.resource}: relist after an expired watch failed, retrying`, err);
      this.timer = setTimeout(() => this.resync(), RETRY_MS);
      this.timer.unref();
    });
  }

  private async sync(): Promise<void> {
    if (this.closed) return;
    const list = await this.storage.list(this.resource);
    if (this.closed) return;
    this.byKey.clear();
    this.handlers?.reset();
    for (const o of list.items) this.put(o);
    this.watcher = this.storage.watch(this.resource, { fromRevision: list.revision, onExpired: () => this.resync() }, (e) => {
      if (this.passOver?.(e)) return;
      const key = `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
      if (e.type === 'DELETED') {
        const prev = this.byKey.get(key);
        this.byKey.delete(key);
        this.handlers?.delete(prev ?? e.object);
      } else this.put(e.object);
    });
  }

  private put(o: KubeObject): void {
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const prev = this.byKey.get(key);
    if (this.keep) this.byKey.set(key, o);
    this.handlers?.upsert(o, prev);
  }
}
