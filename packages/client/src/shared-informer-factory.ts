// One informer per (resource, namespace, selectors), shared by every controller that asks, so
// a process keeps one cache and one watch per kind of object it follows.
//
// Several components in one thread (`skiff server`'s scheduler and controller manager, ADR 0022)
// share one factory through scopes: a scope hands out the factory's informers, and its stop()
// removes the handlers registered through it and stops the informers no other scope uses. A
// component can so stop and start again (the controller manager at each leader term) over
// informers another component keeps using, without leaving handlers behind.
import type { KubeObject } from '@skiff/api';
import { Informer, type EventHandlers, type InformerOptions } from './informer.ts';
import type { ResourceRef } from './paths.ts';
import type { RestClient } from './rest-client.ts';
import type { IndexFunc } from './store.ts';

export interface InformerSelector {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface SharedInformerFactoryOptions {
  /** Namespace used when informerFor() is not given one; default all namespaces. */
  namespace?: string;
  /** Options for every informer made (resync period, backoff, page size, onError, ...). */
  defaults?: Omit<InformerOptions<KubeObject>, keyof InformerSelector | 'indexers'>;
}

type Selection<T extends KubeObject> = InformerSelector & { indexers?: Record<string, IndexFunc<T>> };

/** What a component needs of a factory: a SharedInformerFactory of its own, or its share of one (scope()). */
export interface InformerFactory {
  /** The shared informer for this resource and selection; indexers are added to it. */
  informerFor<T extends KubeObject = KubeObject>(res: ResourceRef, sel?: Selection<T>): Informer<T>;
  start(): void;
  /** Resolves once every informer handed out so far has synced. */
  waitForCacheSync(signal?: AbortSignal): Promise<void>;
  stop(): void;
}

export class SharedInformerFactory implements InformerFactory {
  private readonly client: RestClient;
  private readonly opts: SharedInformerFactoryOptions;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  /** How many live scopes use each informer. */
  private readonly scopeUsers = new Map<string, number>();
  /** Informers asked for on the factory itself: they run until the factory stops. */
  private readonly pinned = new Set<string>();
  private started = false;

  constructor(client: RestClient, opts: SharedInformerFactoryOptions = {}) {
    this.client = client;
    this.opts = opts;
  }

  /**
   * The shared informer for this resource and selection; indexers are added to it. Informers
   * asked for after start() start at once.
   */
  informerFor<T extends KubeObject = KubeObject>(res: ResourceRef, sel: Selection<T> = {}): Informer<T> {
    const key = this.keyOf(res, sel);
    this.pinned.add(key);
    return this.informerAt(key, res, sel);
  }

  start(): void {
    this.started = true;
    for (const i of this.informers.values()) i.start();
  }

  /** Resolves once every informer made so far has synced. */
  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }

  /** One component's share of this factory (see the top of this file). */
  scope(): InformerFactory {
    const used = new Map<string, Informer<KubeObject>>();
    const removers: (() => void)[] = [];
    let stopped = false;
    return {
      informerFor: <T extends KubeObject>(res: ResourceRef, sel: Selection<T> = {}): Informer<T> => {
        if (stopped) throw new Error('informer scope used after stop()');
        const key = this.keyOf(res, sel);
        let view = used.get(key) as Informer<T> | undefined;
        if (view) {
          if (sel.indexers) view.addIndexers(sel.indexers);
          return view;
        }
        this.scopeUsers.set(key, (this.scopeUsers.get(key) ?? 0) + 1);
        view = handlerTrackingView(this.informerAt(key, res, sel), removers);
        used.set(key, view as unknown as Informer<KubeObject>);
        return view;
      },
      start: () => {
        for (const i of used.values()) i.start();
      },
      waitForCacheSync: async (signal?: AbortSignal) => {
        await Promise.all([...used.values()].map((i) => i.waitForSync(signal)));
      },
      stop: () => {
        if (stopped) return;
        stopped = true;
        for (const remove of removers.splice(0)) remove();
        for (const key of used.keys()) this.release(key);
        used.clear();
      },
    };
  }

  private keyOf(res: ResourceRef, sel: InformerSelector): string {
    const namespace = res.scope === 'Namespaced' ? (sel.namespace ?? this.opts.namespace) : undefined;
    return [res.group, res.version, res.plural, namespace ?? '', sel.labelSelector ?? '', sel.fieldSelector ?? ''].join('|');
  }

  private informerAt<T extends KubeObject>(key: string, res: ResourceRef, sel: Selection<T>): Informer<T> {
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      const namespace = res.scope === 'Namespaced' ? (sel.namespace ?? this.opts.namespace) : undefined;
      informer = new Informer<T>(this.client, res, { ...this.opts.defaults, namespace, labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector } as InformerOptions<T>);
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.started) informer.start();
    }
    if (sel.indexers) informer.addIndexers(sel.indexers);
    return informer;
  }

  /** A scope let go of an informer: the last one out stops it, unless it was asked for on the factory itself. */
  private release(key: string): void {
    const n = (this.scopeUsers.get(key) ?? 1) - 1;
    if (n > 0) {
      this.scopeUsers.set(key, n);
      return;
    }
    this.scopeUsers.delete(key);
    if (this.pinned.has(key)) return;
    this.informers.get(key)?.stop();
    this.informers.delete(key);
  }
}

/**
 * The informer itself, except that the handlers registered through it are remembered so that the
 * scope can remove them. Every other member is the informer's own (methods bound to it).
 */
function handlerTrackingView<T extends KubeObject>(informer: Informer<T>, removers: (() => void)[]): Informer<T> {
  const bound = new Map<PropertyKey, unknown>();
  const addEventHandler = (handlers: EventHandlers<T>) => {
    const remove = informer.addEventHandler(handlers);
    removers.push(remove);
    return remove;
  };
  return new Proxy(informer, {
    get(target, prop) {
      if (prop === 'addEventHandler') return addEventHandler;
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (fn === undefined) bound.set(prop, (fn = (value as (...args: unknown[]) => unknown).bind(target)));
      return fn;
    },
  });
}
