// Events the scheduler reports about pods (Scheduled, FailedScheduling), sent in the background
// with a few requests in flight. Like client-go's broadcaster, it drops events rather than
// letting them queue without bound or slow the scheduling down.

import type { KubeObject } from '@skiff/api';
import type { Pod, PodCondition } from './model/types.ts';

export const REASON_SCHEDULED = 'Scheduled';
export const REASON_FAILED_SCHEDULING = 'FailedScheduling';

let seq = 0;

/** A core/v1 Event about `pod`, named as Kubernetes names them (`<pod>.<unique hex>`). */
export function computePodEvent(opts: { pod: Pod; type: 'Normal' | 'Warning'; reason: string; message: string; component: string; instance: string; now: Date }): KubeObject {
  const { pod, now } = opts;
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod.metadata.name}.${(now.getTime() * 1000 + (seq++ % 1000)).toString(16)}`, namespace: pod.metadata.namespace ?? 'default' },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      resourceVersion: pod.metadata.resourceVersion,
    },
    type: opts.type,
    reason: opts.reason,
    message: opts.message,
    source: { component: opts.component },
    reportingComponent: opts.component,
    reportingInstance: opts.instance,
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
  };
}

/**
 * The PodScheduled=False condition (reason Unschedulable, the FailedScheduling message) to
 * merge into the pod's status; undefined when the pod already says exactly that.
 */
export function computeUnschedulableCondition(pod: Pod, message: string, now: Date): PodCondition | undefined {
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return undefined;
  return {
    type: 'PodScheduled',
    status: 'False',
    reason: 'Unschedulable',
    message,
    // The condition has been False since the first failed attempt.
    lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export class BackgroundSender {
  private readonly pending: (() => Promise<unknown>)[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxPending: number;
  private readonly onDrop: () => void;
  private readonly onError: (err: unknown) => void;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: { maxInFlight: number; maxPending: number; onDrop: () => void; onError: (err: unknown) => void }) {
    this.maxInFlight = opts.maxInFlight;
    this.maxPending = opts.maxPending;
    this.onDrop = opts.onDrop;
    this.onError = opts.onError;
  }

  send(task: () => Promise<unknown>): void {
    if (this.pending.length >= this.maxPending) {
      this.onDrop();
      return;
    }
    this.pending.push(task);
    this.pump();
  }

  /** Resolves once nothing is pending or in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const task = this.pending.shift()!;
      this.inFlight++;
      task()
        .catch(this.onError)
        .finally(() => {
          this.inFlight--;
          this.pump();
          if (this.inFlight === 0 && this.pending.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }
}
