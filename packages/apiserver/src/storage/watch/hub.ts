// Watcher registry and fan-out. Watchers are indexed by resource and then by namespace, so an
// event costs O(watchers interested in it), not O(all watchers). Delivery is synchronous; a
// write made by a watcher callback while events are being delivered is queued behind them, so
// every watcher sees every event in revision order even under re-entrancy.
import type { StorageEvent, Watcher } from '../types.ts';
import type { LazyEvent } from './event.ts';

export type WatchErrorHandler = (err: unknown, resource: string) => void;

export class HubWatcher implements Watcher {
  readonly resource: string;
  readonly namespace: string | undefined;
  /** Highest revision this watcher has been positioned at: events at or below it are never delivered. */
  position: number;
  closed = false;
  readonly #onEvent: (e: StorageEvent) => void;
  readonly #hub: WatchHub;

  constructor(hub: WatchHub, resource: string, namespace: string | undefined, fromRevision: number, onEvent: (e: StorageEvent) => void) {
    this.#hub = hub;
    this.resource = resource;
    this.namespace = namespace;
    this.position = fromRevision;
    this.#onEvent = onEvent;
  }

  matches(ev: LazyEvent): boolean {
    return ev.key.resource === this.resource && (this.namespace === undefined || ev.key.namespace === this.namespace);
  }

  /**
   * Delivers `ev` unless already delivered (the position check is what makes history replay and
   * live delivery overlap safely). A throwing callback closes its watcher: the write that
   * produced the event is already committed and other watchers must still get it.
   */
  offer(ev: LazyEvent): void {
    if (this.closed || ev.revision <= this.position) return;
    this.position = ev.revision;
    try {
      this.#onEvent(ev);
    } catch (err) {
      this.close();
      this.#hub.reportError(err, this.resource);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#hub.remove(this);
  }
}

interface ResourceWatchers {
  all: Set<HubWatcher>;
  byNamespace: Map<string, Set<HubWatcher>>;
}

export class WatchHub {
  readonly #byResource = new Map<string, ResourceWatchers>();
  readonly #onError: WatchErrorHandler;
  #queue: LazyEvent[] = [];
  #dispatching = false;
  #size = 0;

  constructor(onError: WatchErrorHandler) {
    this.#onError = onError;
  }

  get size(): number {
    return this.#size;
  }

  add(w: HubWatcher): void {
    let rw = this.#byResource.get(w.resource);
    if (!rw) this.#byResource.set(w.resource, (rw = { all: new Set(), byNamespace: new Map() }));
    if (w.namespace === undefined) rw.all.add(w);
    else {
      let set = rw.byNamespace.get(w.namespace);
      if (!set) rw.byNamespace.set(w.namespace, (set = new Set()));
      set.add(w);
    }
    this.#size++;
  }

  remove(w: HubWatcher): void {
    const rw = this.#byResource.get(w.resource);
    if (!rw) return;
    let removed: boolean;
    if (w.namespace === undefined) removed = rw.all.delete(w);
    else {
      const set = rw.byNamespace.get(w.namespace);
      removed = set?.delete(w) ?? false;
      if (set && set.size === 0) rw.byNamespace.delete(w.namespace);
    }
    if (removed) this.#size--;
    if (rw.all.size === 0 && rw.byNamespace.size === 0) this.#byResource.delete(w.resource);
  }

  /** Delivers a committed event to its watchers; re-entrant calls are queued behind the current one. */
  publish(ev: LazyEvent): void {
    if (this.#size === 0 && !this.#dispatching) return;
    this.#queue.push(ev);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let i = 0; i < this.#queue.length; i++) this.#deliver(this.#queue[i]);
    } finally {
      this.#queue = [];
      this.#dispatching = false;
    }
  }

  /** Closes every watcher (storage shutdown). */
  closeAll(): void {
    for (const rw of [...this.#byResource.values()]) {
      for (const w of [...rw.all]) w.close();
      for (const set of [...rw.byNamespace.values()]) for (const w of [...set]) w.close();
    }
  }

  reportError(err: unknown, resource: string): void {
    try {
      this.#onError(err, resource);
    } catch {
      // An error handler that throws must not break delivery to the remaining watchers.
    }
  }

  #deliver(ev: LazyEvent): void {
    const rw = this.#byResource.get(ev.key.resource);
    if (!rw) return;
    // Set iteration tolerates watchers closing or opening during delivery; a watcher opened
    // meanwhile has replayed history past this event and skips it by its position.
    for (const w of rw.all) w.offer(ev);
    const set = rw.byNamespace.get(ev.key.namespace);
    if (set) for (const w of set) w.offer(ev);
    ev.release();
  }
}
