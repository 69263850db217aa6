// An informer keeps a local cache of one resource (optionally one namespace / selector) in step
// with the API server and tells handlers what changed:
//
//   list (paged) -> watch from the list's resourceVersion -> stream ends: watch again from the
//   last version seen (BOOKMARKs advance it) -> 410 Gone: list again, and turn the difference
//   into add/update/delete -> any failure: back off (jittered, doubling, capped) and retry.
//
// It never gives up: only stop() ends it. Objects handed out are shared and must not be mutated
// (see store.ts).
import type { KubeObject } from '@skiff/api';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { isGone } from './errors.ts';
import type { ResourceRef } from './paths.ts';
import type { KubeList, RestClient } from './rest-client.ts';
import { Store, deepFreeze, keyOf, type IndexFunc, type ReadonlyStore } from './store.ts';
import type { WatchEvent } from './watch.ts';
import { WakeableSleep } from './wakeable-sleep.ts';

export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  /** Also called with `old === obj` on every periodic resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** `obj` is the last state seen; after a relist it may be older than the real final state. */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Call onUpdate(obj, obj) for every cached object this often (0/absent = never). */
  resyncPeriodMs?: number;
  /** Page size of the initial list and relists; default 500. */
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Reconnect backoff; default 200 ms doubling to 30 s, jittered. */
  backoff?: BackoffOptions;
  /** Server-side length of one watch; default random 5-10 minutes (as client-go). */
  watchTimeoutSeconds?: number;
  /** Deep-freeze cached objects; default true unless NODE_ENV=production. */
  freeze?: boolean;
  /**
   * Applied to every object as it arrives (listed or watched), before it is cached or handed to
   * handlers: client-go's SetTransform, e.g. `dropManagedFields`. It may change the object in
   * place (it was just decoded and is not shared yet).
   */
  transform?: (obj: T) => T;
  /** Told about list/watch failures (retried regardless) and handler exceptions. Default: console.warn. */
  onError?: (err: unknown, context: string) => void;
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceRef;
  private readonly client: RestClient;
  private readonly opts: InformerOptions<T>;
  private readonly cache: Store<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly backoff: Backoff;
  private readonly syncWaiters: { resolve(): void; reject(err: Error): void }[] = [];
  private lastRv?: string;
  private synced = false;
  private started = false;
  private stopped = false;
  private abortWatch?: () => void;
  private readonly pause = new WakeableSleep();
  private resyncTimer?: NodeJS.Timeout;

  constructor(client: RestClient, resource: ResourceRef, opts: InformerOptions<T> = {}) {
    this.client = client;
    this.resource = resource;
    this.opts = opts;
    this.cache = new Store<T>({ indexers: opts.indexers, freeze: opts.freeze });
    this.backoff = new Backoff(opts.backoff);
  }

  /** The cache. Objects in it are shared: never mutate them. */
  get store(): ReadonlyStore<T> {
    return this.cache;
  }

  /** Adds indexes, also after start. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.cache.addIndexers(indexers);
  }

  /**
   * Registers handlers; returns a function that removes them. A handler added after the cache
   * has objects first gets onAdd for each of them.
   */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    for (const obj of this.cache.list()) this.call(handlers, 'onAdd', obj);
    return () => this.handlers.delete(handlers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string | undefined {
    return this.lastRv;
  }

  /** Resolves once the first list is in the cache and handlers have seen it. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error('informer stopped before it synced'));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.syncWaiters.push(waiter);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.run();
    if (this.opts.resyncPeriodMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncPeriodMs);
    }
  }

  /** Stops for good: ends the watch, the retries and resyncs. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.resyncTimer);
    this.abortWatch?.();
    this.pause.wake();
    for (const w of this.syncWaiters.splice(0)) w.reject(new Error('informer stopped before it synced'));
  }

  private async run(): Promise<void> {
    let needList = true;
    let goneInARow = 0;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.listAndReplace();
          needList = false;
          if (this.stopped) return;
        }
        if (await this.watchOnce()) continue;
      } catch (err) {
        if (this.stopped) return;
        if (isGone(err)) {
          // Our resourceVersion is too old: relist. Straight away once; back off if it repeats.
          needList = true;
          if (goneInARow++ === 0) continue;
        } else {
          this.report(err, needList ? 'list failed' : 'watch failed');
        }
      }
      await this.pause.sleep(this.backoff.next());
      if (!needList) goneInARow = 0;
    }
  }

  /** Lists page by page (falling back to one full list if a continue token expires), then replaces the cache. */
  private async listAndReplace(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const items: T[] = [];
    let limit: number | undefined = this.opts.pageSize ?? 500;
    let cont: string | undefined;
    let page: KubeList<T>;
    for (;;) {
      try {
        page = await this.client.list<T>(this.resource, { namespace, labelSelector, fieldSelector, limit, continue: cont });
      } catch (err) {
        if (!(isGone(err) && cont)) throw err;
        items.length = 0;
        cont = undefined;
        limit = undefined;
        continue;
      }
      if (this.stopped) return;
      const kind = page.kind.replace(/List$/, '');
      const transform = this.opts.transform;
      for (const listed of page.items) {
        const item = listed.kind ? listed : { ...listed, apiVersion: page.apiVersion, kind };
        items.push(transform ? transform(item) : item);
      }
      cont = page.metadata.continue;
      if (!cont) break;
    }
    this.replace(items, page.metadata.resourceVersion);
    this.backoff.reset();
  }

  /** Makes the cache equal to a fresh list, telling handlers the difference. */
  private replace(items: T[], resourceVersion: string | undefined): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.cache.get(key);
      if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      this.apply(obj);
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.cache.delete(key)!;
      this.dispatch('onDelete', old);
    }
    this.lastRv = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w.resolve();
    }
  }

  /**
   * One watch request from the last version seen. Resolves true when the server ended it after
   * useful work (rewatch at once), false when it ended at once with nothing (back off first);
   * rejects on failure.
   */
  private watchOnce(): Promise<boolean> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const started = Date.now();
    let events = 0;
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const handle = this.client.watch<T>(
        this.resource,
        { namespace, labelSelector, fieldSelector, resourceVersion: this.lastRv, allowWatchBookmarks: true, timeoutSeconds, idleTimeoutMs: (timeoutSeconds + 30) * 1000 },
        (event) => {
          events++;
          this.onWatchEvent(event);
        },
        (err) => {
          this.abortWatch = undefined;
          const progressed = events > 0 || Date.now() - started > 1000;
          if (progressed) this.backoff.reset();
          if (err) reject(err);
          else resolve(progressed);
        },
      );
      this.abortWatch = () => handle.abort();
    });
  }

  private onWatchEvent(event: WatchEvent<T>): void {
    const obj = this.opts.transform && event.type !== 'BOOKMARK' ? this.opts.transform(event.object) : event.object;
    const rv = obj.metadata?.resourceVersion;
    if (event.type === 'DELETED') {
      const old = this.cache.delete(keyOf(obj));
      if (old) this.dispatch('onDelete', this.cache.frozen ? deepFreeze(obj) : obj);
    } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
      const old = this.cache.get(keyOf(obj));
      // The same version again (a replayed event) changes nothing.
      if (!old || old.metadata.resourceVersion !== rv) this.apply(obj);
    }
    if (rv) this.lastRv = rv;
  }

  private apply(obj: T): void {
    const { stored, old } = this.cache.set(obj);
    if (old) this.dispatch('onUpdate', old, stored);
    else this.dispatch('onAdd', stored);
  }

  private resync(): void {
    if (!this.synced || this.stopped) return;
    for (const obj of this.cache.list()) this.dispatch('onUpdate', obj, obj);
  }

  private dispatch(kind: 'onAdd' | 'onDelete', obj: T): void;
  private dispatch(kind: 'onUpdate', old: T, obj: T): void;
  private dispatch(kind: keyof EventHandlers<T>, a: T, b?: T): void {
    for (const h of this.handlers) this.call(h, kind, a, b);
  }

  /** A throwing handler is reported; it never stops the informer or the other handlers. */
  private call(h: EventHandlers<T>, kind: keyof EventHandlers<T>, a: T, b?: T): void {
    try {
      if (kind === 'onUpdate') h.onUpdate?.(a, b!);
      else h[kind]?.(a);
    } catch (err) {
      this.report(err, `${kind} handler threw`);
    }
  }

  /** Tells onError what failed, the context naming the resource (`pods: watch failed`, `deployments.apps: list failed`). */
  private report(err: unknown, context: string): void {
    const what = `${this.resource.plural}${this.resource.group ? `.${this.resource.group}` : ''}: ${context}`;
    const onError = this.opts.onError ?? ((e, c) => console.warn(`informer ${c}:`, (e as Error)?.message ?? e));
    onError(err, what);
  }
}
