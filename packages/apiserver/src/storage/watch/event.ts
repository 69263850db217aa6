// A stored change as watchers see it. The JSON text is what SQLite holds; the parsed object is
// built on first access and then shared by every watcher of the event, so a write that nobody
// watches costs no JSON.parse, and a write watched by 50 watchers costs one.
import type { KubeObject } from '@skiff/api';
import type { ObjectKey, StorageEvent, WatchEventType } from '../types.ts';

export class LazyEvent implements StorageEvent {
  readonly type: WatchEventType;
  readonly revision: number;
  readonly key: ObjectKey;
  /** `object` as JSON text, resourceVersion embedded. */
  readonly raw: string;
  /** `prevObject` as JSON text (MODIFIED, DELETED). */
  readonly prevRaw: string | undefined;
  #object: KubeObject | undefined;
  #prev: KubeObject | undefined;

  constructor(type: WatchEventType, revision: number, key: ObjectKey, raw: string, prevRaw: string | undefined) {
    this.type = type;
    this.revision = revision;
    this.key = key;
    this.raw = raw;
    this.prevRaw = prevRaw;
  }

  /** Shared between watchers: treat as read-only. */
  get object(): KubeObject {
    return (this.#object ??= JSON.parse(this.raw) as KubeObject);
  }

  get prevObject(): KubeObject | undefined {
    if (this.prevRaw === undefined) return undefined;
    return (this.#prev ??= JSON.parse(this.prevRaw) as KubeObject);
  }

  /**
   * Forgets the parsed objects once the event has been delivered: the ring then holds only the
   * text its byte budget counts (parsed JSON takes several times the memory). A later access,
   * e.g. a watch replaying from the ring, parses again.
   */
  release(): void {
    this.#object = undefined;
    this.#prev = undefined;
  }

  /** Approximate memory held, for the ring's byte budget (UTF-16 code units ~ bytes for JSON). */
  get size(): number {
    return this.raw.length + (this.prevRaw?.length ?? 0) + 64;
  }

  /** Plain-data form (the getters are not own enumerable properties, so spread/JSON would drop them). */
  toJSON(): StorageEvent {
    const e: StorageEvent = { type: this.type, revision: this.revision, key: this.key, object: this.object };
    if (this.prevRaw !== undefined) e.prevObject = this.prevObject;
    return e;
  }
}

/** Log rows store the type as a small integer. */
export const TYPE_CODES: Record<WatchEventType, number> = { ADDED: 0, MODIFIED: 1, DELETED: 2 };
export const TYPE_NAMES: readonly WatchEventType[] = ['ADDED', 'MODIFIED', 'DELETED'];
