// Records core/v1 Events, as `kubectl describe` shows them, for every component: the controllers,
// the scheduler and the node agents (as the kubelet). Like client-go's EventCorrelator:
// - an event identical to one recorded before (same object, type, reason, message and field)
//   is not written again: the existing Event's count grows and its lastTimestamp moves;
// - after `maxSimilar` distinct messages with the same object, type and reason within the
//   window, further ones fold into one event "(combined from similar events): <latest message>"
//   whose count grows.
// Count updates are written at most once per `flushMs`, so that scaling 1,000 pods does not cost
// 1,000 extra writes. What it remembers is bounded like client-go's LRU caches (4,096 entries
// each): the maps are kept in the order entries were (re)started, so expired and surplus entries
// are dropped from the front at O(1) a record, however many objects are recorded about. Recording never blocks or throws: writes go through a bounded background
// sender (one at a time by default, so Events are stored in the order they happened) that drops
// rather than queues without bound, and failures only reach `onError`.
import { EVENTS, formatTime, type KubeObject } from '@skiff/api';
import { BackgroundSender } from './background-sender.ts';
import type { RestClient } from './rest-client.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** source.component and reportingComponent: `kubelet`, `default-scheduler`, `replicaset-controller`... */
  component: string;
  /** source.host: the node, for the kubelet's events. */
  host?: string;
  /** reportingInstance; defaults to `host`, else `component`. */
  instance?: string;
  /** Distinct messages per (object, type, reason) before aggregation; default 10. */
  maxSimilar?: number;
  /** Aggregation and deduplication window; default 10 minutes. */
  windowMs?: number;
  /** How often a grown count is written; default 1 s. */
  flushMs?: number;
  /** Writes in flight at once; default 1 (Events stored in order). */
  maxInFlight?: number;
  /** Writes waiting before new ones are dropped; default 1,000. */
  maxPending?: number;
  /** Writes started per second at most, in bursts of `burst` (client-go's client QPS); default unlimited. */
  qps?: number;
  burst?: number;
  /** Objects+reasons (and identical events) remembered for aggregation; default 4,096 each, as client-go. */
  maxEntries?: number;
  onDrop?: () => void;
  onError?: (err: unknown) => void;
}

/** An Event already written, whose count later occurrences raise. */
interface Series {
  name: string;
  namespace: string;
  count: number;
  /** The message written with the count: an aggregate shows the latest one. */
  message: string;
  combined: boolean;
  /** Settles once the Event's create has been answered. */
  created: Promise<boolean>;
  timer?: NodeJS.Timeout;
}

interface Similar {
  since: number;
  messages: Set<string>;
  combined?: Series;
}

const PREFIX = '(combined from similar events): ';
let seq = 0;

export class EventRecorder {
  private readonly client: RestClient;
  private readonly o: Required<Pick<EventRecorderOptions, 'maxSimilar' | 'windowMs' | 'flushMs' | 'maxEntries'>> & EventRecorderOptions;
  private readonly sender: BackgroundSender;
  private readonly similar = new Map<string, Similar>();
  private readonly identical = new Map<string, { since: number; series: Series }>();

  constructor(client: RestClient, opts: EventRecorderOptions) {
    this.client = client;
    this.o = { maxSimilar: 10, windowMs: 10 * 60_000, flushMs: 1000, maxEntries: 4096, ...opts };
    this.sender = new BackgroundSender({
      maxInFlight: opts.maxInFlight ?? 1,
      maxPending: opts.maxPending ?? 1000,
      qps: opts.qps,
      burst: opts.burst,
      onDrop: opts.onDrop,
      onError: opts.onError,
    });
  }

  normal(obj: KubeObject, reason: string, message: string, fieldPath?: string): void {
    this.record(obj, 'Normal', reason, message, fieldPath);
  }

  warning(obj: KubeObject, reason: string, message: string, fieldPath?: string): void {
    this.record(obj, 'Warning', reason, message, fieldPath);
  }

  record(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const now = Date.now();
    this.forgetOld(now);
    const exactKey = `${obj.metadata.uid}|${type}|${reason}|${fieldPath ?? ''}|${message}`;
    const seen = this.identical.get(exactKey);
    if (seen && now - seen.since <= this.o.windowMs) {
      this.grow(seen.series, message);
      return;
    }
    const similarKey = `${obj.metadata.uid}|${type}|${reason}|${fieldPath ?? ''}`;
    let s = this.similar.get(similarKey);
    if (!s || now - s.since > this.o.windowMs) {
      s = { since: now, messages: new Set() };
      remember(this.similar, similarKey, s, this.o.maxEntries);
    }
    if (s.messages.size < this.o.maxSimilar) {
      const series = this.create(obj, type, reason, message, fieldPath);
      // Dropped (the backlog is full): remembered nowhere, so the next occurrence tries again
      // rather than counting up an Event that was never written.
      if (!series) return;
      s.messages.add(message);
      remember(this.identical, exactKey, { since: now, series }, this.o.maxEntries);
      return;
    }
    if (s.combined) this.grow(s.combined, message);
    else s.combined = this.create(obj, type, reason, PREFIX + message, fieldPath, true);
  }

  /** Resolves once what was recorded so far has been written (or dropped, or failed). */
  idle(): Promise<void> {
    return this.sender.idle();
  }

  /** Writes a new Event in the background; undefined when the backlog is full (nothing is built or sent). */
  private create(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string, combined = false): Series | undefined {
    if (this.sender.full) {
      this.sender.send(() => Promise.resolve()); // counted as dropped (onDrop)
      return undefined;
    }
    const namespace = obj.metadata.namespace ?? 'default';
    const name = `${obj.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(seq++ % 1_000_000)).toString(16)}`;
    let settle!: (ok: boolean) => void;
    const series: Series = { name, namespace, count: 1, message, combined, created: new Promise((r) => (settle = r)) };
    const event = this.newEvent({ obj, namespace, name, type, reason, message, fieldPath });
    if (!this.sender.send(() => this.client.createEvent(event).then(() => settle(true), (err) => (settle(false), Promise.reject(err))))) settle(false);
    return series;
  }

  /** Another occurrence: the count grows, written after at most `flushMs`. */
  private grow(series: Series, message: string): void {
    series.count++;
    if (series.combined) series.message = PREFIX + message;
    if (series.timer) return;
    series.timer = setTimeout(() => {
      series.timer = undefined;
      this.sender.send(async () => {
        if (!(await series.created)) return; // never written: nothing to count up
        const patch = { message: series.message, count: series.count, lastTimestamp: formatTime() };
        await this.client.patch(EVENTS, series.namespace, series.name, patch, 'merge');
      });
    }, this.o.flushMs);
    series.timer.unref();
  }

  /** Drops entries whose window has passed: the oldest are first in both maps. */
  private forgetOld(now: number): void {
    for (const map of [this.similar, this.identical] as Map<string, { since: number }>[]) {
      for (const [k, v] of map) {
        if (now - v.since <= this.o.windowMs) break;
        map.delete(k);
      }
    }
  }

  private newEvent(e: { obj: KubeObject; namespace: string; name: string; type: EventType; reason: string; message: string; fieldPath?: string }): KubeObject {
    const { obj, fieldPath } = e;
    const now = formatTime();
    const { component, host } = this.o;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: e.name, namespace: e.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: host ? { component, host } : { component },
      reportingComponent: component,
      reportingInstance: this.o.instance ?? host ?? component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
  }
}

/** Sets `key` as the newest entry of an insertion-ordered map, dropping the oldest past `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
