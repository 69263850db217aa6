// Records core/v1 Events about pods, as the kubelet does (source component "kubelet"), merging a
// repeated event into one with a growing count. Failures to record are logged, never thrown:
// events are informative and must not stop the work they describe.
import { EVENTS } from '@skiff/api';
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@skiff/api';
import type { RestClient } from '@skiff/client';


export type EventType = 'Normal' | 'Warning';

export interface PodEventSink {
  record(pod: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

export class EventRecorder implements PodEventSink {
  private readonly client: RestClient;
  private readonly host: string;
  private readonly seen = new Map<string, { name: string; count: number }>();
  /** Events are sent one after another, so that they are stored in the order they happened. */
  private queue: Promise<void> = Promise.resolve();

  constructor(client: RestClient, host: string) {
    this.client = client;
    this.host = host;
  }

  record(pod: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): void {
    this.queue = this.queue
      .then(() => this.send(pod, type, reason, message, fieldPath))
      .catch((err: Error) => {
        process.stderr.write(`skiff agent: could not record event ${reason} for ${pod.metadata.namespace}/${pod.metadata.name}: ${err.message}\n`);
      });
  }

  /** Resolves once the events recorded so far have been sent (or failed). */
  idle(): Promise<void> {
    return this.queue;
  }

  private async send(pod: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ns = pod.metadata.namespace ?? 'default';
    const key = `${pod.metadata.uid}|${reason}|${message}|${fieldPath ?? ''}`;
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await this.client.patch(EVENTS, ns, prev.name, { count: prev.count, lastTimestamp: now }, 'merge');
        return;
      } catch {
        this.seen.delete(key); // gone (e.g. the pod was deleted): record a fresh one
      }
    }
    const name = `${pod.metadata.name}.${randomBytes(8).toString('hex')}`;
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(key, { name, count: 1 });
    await this.client.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1', ...(fieldPath ? { fieldPath } : {}) },
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.host },
      reportingComponent: 'kubelet',
      reportingInstance: this.host,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }
}
