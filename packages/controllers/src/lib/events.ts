// Events, as `kubectl describe` shows them: core/v1 Events naming the involved object.
// Recording never blocks or fails a reconcile; a failed write is only reported.
//
// Like client-go's EventCorrelator, similar events are aggregated: after 10 distinct messages
// with the same object, type and reason within 10 minutes, further ones fold into one event
// "(combined from similar events): <latest message>" whose count grows. Its updates are written
// at most once a second, so that scaling 1,000 pods does not cost 1,000 extra writes.
import type { KubeObject } from '@skiff/api';
import type { RestClient } from '@skiff/client';
import { EVENTS } from './resources.ts';

export interface EventRecorder {
  normal(obj: KubeObject, reason: string, message: string): void;
  warning(obj: KubeObject, reason: string, message: string): void;
}

export interface EventRecorderOptions {
  /** Distinct messages per (object, type, reason) before aggregation; default 10. */
  maxSimilar?: number;
  /** Aggregation window; default 10 minutes. */
  windowMs?: number;
  /** How often a combined event's count is written; default 1 s. */
  flushMs?: number;
  onError?: (err: unknown) => void;
}

interface Similar {
  since: number;
  messages: Set<string>;
  combined?: { name: string; namespace: string; count: number; message: string; created?: Promise<unknown>; timer?: NodeJS.Timeout; firstTimestamp: string };
}

const PREFIX = '(combined from similar events): ';
let seq = 0;

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createEventRecorder(client: RestClient, component: string, opts: EventRecorderOptions = {}): EventRecorder {
  const maxSimilar = opts.maxSimilar ?? 10;
  const windowMs = opts.windowMs ?? 10 * 60_000;
  const flushMs = opts.flushMs ?? 1000;
  const onError = opts.onError ?? (() => {});
  const similar = new Map<string, Similar>();

  const newEvent = (obj: KubeObject, type: string, reason: string, message: string, count: number, first = timestamp()): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${obj.metadata.name}.${Date.now().toString(16)}${(seq++ % 0xfff).toString(16).padStart(3, '0')}`, namespace: obj.metadata.namespace ?? 'default' },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    },
    reason,
    message,
    type,
    source: { component },
    reportingComponent: component,
    reportingInstance: component,
    firstTimestamp: first,
    lastTimestamp: timestamp(),
    count,
  });

  const flush = (s: Similar) => {
    const c = s.combined!;
    c.timer = undefined;
    void (c.created ?? Promise.resolve())
      .then(() => client.patch(EVENTS, c.namespace, c.name, { message: PREFIX + c.message, count: c.count, lastTimestamp: timestamp() }, 'merge'))
      .catch(onError);
  };

  const record = (obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) => {
    const now = Date.now();
    const key = `${obj.metadata.uid}|${type}|${reason}`;
    let s = similar.get(key);
    if (!s || now - s.since > windowMs) {
      if (similar.size > 10_000) for (const [k, v] of similar) if (now - v.since > windowMs) similar.delete(k);
      s = { since: now, messages: new Set() };
      similar.set(key, s);
    }
    if (s.messages.size < maxSimilar) {
      s.messages.add(message);
      client.createEvent(newEvent(obj, type, reason, message, 1)).catch(onError);
      return;
    }
    if (!s.combined) {
      const event = newEvent(obj, type, reason, PREFIX + message, 1);
      s.combined = { name: event.metadata.name!, namespace: event.metadata.namespace!, count: 1, message, firstTimestamp: event.firstTimestamp as string };
      s.combined.created = client.createEvent(event).catch(onError);
      return;
    }
    s.combined.count++;
    s.combined.message = message;
    if (!s.combined.timer) {
      const target = s;
      s.combined.timer = setTimeout(() => flush(target), flushMs);
      s.combined.timer.unref();
    }
  };

  return {
    normal: (obj, reason, message) => record(obj, 'Normal', reason, message),
    warning: (obj, reason, message) => record(obj, 'Warning', reason, message),
  };
}
