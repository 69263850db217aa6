// One informer per (resource, namespace, selectors), shared by every controller that asks, so
// a process keeps one cache and one watch per kind of object it follows.
import type { KubeObject } from '@skiff/api';
import { Informer, type InformerOptions } from './informer.ts';
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

export class SharedInformerFactory {
  private readonly client: RestClient;
  private readonly opts: SharedInformerFactoryOptions;
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private started = false;

  constructor(client: RestClient, opts: SharedInformerFactoryOptions = {}) {
    this.client = client;
    this.opts = opts;
  }

  /**
   * The shared informer for this resource and selection; indexers are added to it. Informers
   * asked for after start() start at once.
   */
  informerFor<T extends KubeObject = KubeObject>(res: ResourceRef, sel: InformerSelector & { indexers?: Record<string, IndexFunc<T>> } = {}): Informer<T> {
    const namespace = res.scope === 'Namespaced' ? (sel.namespace ?? this.opts.namespace) : undefined;
    const key = [res.group, res.version, res.plural, namespace ?? '', sel.labelSelector ?? '', sel.fieldSelector ?? ''].join('|');
    let informer = this.informers.get(key) as Informer<T> | undefined;
    if (!informer) {
      informer = new Informer<T>(this.client, res, { ...this.opts.defaults, namespace, labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector } as InformerOptions<T>);
      this.informers.set(key, informer as unknown as Informer<KubeObject>);
      if (this.started) informer.start();
    }
    if (sel.indexers) informer.addIndexers(sel.indexers);
    return informer;
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
}
