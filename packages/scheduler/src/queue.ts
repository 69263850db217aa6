// The scheduling queue, after kube-scheduler's: three places a pending pod can be.
//   active         ready to be tried, highest spec.priority first, then oldest;
//   backoff        failed recently, waiting out 1 s doubling to 10 s before going active;
//   unschedulable  no node fitted; parked until a cluster event that could help (a node added or
//                  changed, a pod deleted or finished) moves it on, or for at most 5 minutes.
// A popped pod is "in flight" until the scheduler calls done() or requeue(); updates and deletes
// that arrive meanwhile are applied to it. Time comes from an injected clock; the owner calls
// flush() when nextFlushAt() is due.

import { KeyedHeap } from './heap.ts';
import type { PodInfo } from './model/pod-info.ts';
import type { Pod } from './model/types.ts';

export interface QueuedPod {
  info: PodInfo;
  /** Creation time in ms (arrival time if the pod has none): "age" in the ordering. */
  createdAt: number;
  /** Arrival order, the last tie-breaker. */
  seq: number;
  /** Attempts so far; the backoff doubles with each. */
  attempts: number;
  /** When the last attempt started (ms), or the first arrival. */
  lastAttemptAt: number;
  /** When the pod entered the queue for the first time (ms), for the e2e latency metric. */
  firstSeenAt: number;
  /** moveEpoch when popped: a move event during the attempt sends a failure to backoff. */
  epochAtPop: number;
  /** placedEpoch when popped, the same for pods that wait on other pods being placed. */
  placedEpochAtPop?: number;
  backoffUntil: number;
  parkedAt: number;
}

export interface QueueOptions {
  now: () => number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long an unschedulable pod waits without any event before it is retried anyway. */
  maxUnschedulableMs?: number;
  /**
   * Pods that another pod being placed can make schedulable (required pod affinity, spread
   * constraints): podPlaced() retries only these, so the stream of bindings does not retry all.
   */
  waitsOnOtherPods?: (info: PodInfo) => boolean;
}

export interface QueueLengths {
  active: number;
  backoff: number;
  unschedulable: number;
}

/** Whether a pod update could change a scheduling decision (status-only updates cannot). */
export function podSchedulingPropertiesChanged(oldPod: Pod, newPod: Pod): boolean {
  return (
    JSON.stringify(oldPod.spec) !== JSON.stringify(newPod.spec) ||
    JSON.stringify(oldPod.metadata.labels ?? {}) !== JSON.stringify(newPod.metadata.labels ?? {})
  );
}

function activeLess(a: QueuedPod, b: QueuedPod): boolean {
  if (a.info.priority !== b.info.priority) return a.info.priority > b.info.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt;
  return a.seq < b.seq;
}

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPod>((q) => q.info.key, activeLess);
  private readonly backoff = new KeyedHeap<QueuedPod>(
    (q) => q.info.key,
    (a, b) => a.backoffUntil < b.backoffUntil || (a.backoffUntil === b.backoffUntil && a.seq < b.seq),
  );
  private readonly unschedulable = new Map<string, QueuedPod>();
  private readonly inFlight = new Map<string, QueuedPod>();
  private readonly waiters: ((q: QueuedPod | undefined) => void)[] = [];
  private readonly opts: Required<QueueOptions>;
  private seq = 0;
  private moveEpoch = 0;
  private placedEpoch = 0;
  private closed = false;

  constructor(opts: QueueOptions) {
    this.opts = { maxUnschedulableMs: 5 * 60_000, waitsOnOtherPods: () => false, ...opts };
  }

  lengths(): QueueLengths {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** A pending pod appeared or changed. */
  addOrUpdate(info: PodInfo): void {
    const key = info.key;
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.info = info;
      return;
    }
    const queued = this.active.get(key) ?? this.backoff.get(key);
    if (queued) {
      queued.info = info;
      (this.active.has(key) ? this.active : this.backoff).push(queued);
      return;
    }
    const parked = this.unschedulable.get(key);
    if (parked) {
      const changed = podSchedulingPropertiesChanged(parked.info.pod, info.pod);
      parked.info = info;
      if (changed) {
        this.unschedulable.delete(key);
        this.activateOrBackoff(parked);
      }
      return;
    }
    const now = this.opts.now();
    const created = Date.parse(info.pod.metadata.creationTimestamp ?? '');
    this.pushActive({
      info,
      createdAt: Number.isNaN(created) ? now : created,
      seq: this.seq++,
      attempts: 0,
      lastAttemptAt: now,
      firstSeenAt: now,
      epochAtPop: 0,
      backoffUntil: 0,
      parkedAt: 0,
    });
  }

  /** The pod is gone or no longer pending (bound by someone). */
  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to try; waits while none is active; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const q = this.tryPop();
    if (q || this.closed) return Promise.resolve(q);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  tryPop(): QueuedPod | undefined {
    const q = this.active.pop();
    if (q) this.startAttempt(q);
    return q;
  }

  /** The attempt placed the pod (the binding went through or is on its way). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The attempt failed. `unschedulable`: no node fitted, so park the pod until an event could
   * help; `error` (a failed binding, say): retry after the backoff.
   */
  requeue(q: QueuedPod, why: 'unschedulable' | 'error'): void {
    if (this.inFlight.get(q.info.key) !== q) return; // deleted or bound meanwhile
    this.inFlight.delete(q.info.key);
    q.backoffUntil = q.lastAttemptAt + this.backoffDuration(q.attempts);
    const missedPlacement = q.placedEpochAtPop !== this.placedEpoch && this.opts.waitsOnOtherPods(q.info);
    if (why === 'unschedulable' && q.epochAtPop === this.moveEpoch && !missedPlacement) {
      q.parkedAt = this.opts.now();
      this.unschedulable.set(q.info.key, q);
    } else {
      this.activateOrBackoff(q);
    }
  }

  /** Something happened that could make parked pods schedulable: retry them all. */
  moveAllToActiveOrBackoff(): void {
    this.moveEpoch++;
    const parked = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const q of parked) this.activateOrBackoff(q);
  }

  /** A pod was placed on a node: retry the parked pods that wait on other pods. */
  podPlaced(): void {
    this.placedEpoch++;
    for (const [key, q] of this.unschedulable) {
      if (!this.opts.waitsOnOtherPods(q.info)) continue;
      this.unschedulable.delete(key);
      this.activateOrBackoff(q);
    }
  }

  /** Moves pods whose backoff expired to active, and pods parked too long back to the queue. */
  flush(): void {
    const now = this.opts.now();
    for (let q = this.backoff.peek(); q && q.backoffUntil <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(q);
    }
    for (const [key, q] of this.unschedulable) {
      if (now - q.parkedAt >= this.opts.maxUnschedulableMs) {
        this.unschedulable.delete(key);
        this.activateOrBackoff(q);
      }
    }
  }

  /** When flush() next has something to do (ms), or undefined. */
  nextFlushAt(): number | undefined {
    let t = this.backoff.peek()?.backoffUntil;
    for (const q of this.unschedulable.values()) {
      const due = q.parkedAt + this.opts.maxUnschedulableMs;
      if (t === undefined || due < t) t = due;
    }
    return t;
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  backoffDuration(attempts: number): number {
    const d = this.opts.initialBackoffMs * 2 ** Math.max(0, attempts - 1);
    return Math.min(d, this.opts.maxBackoffMs);
  }

  private startAttempt(q: QueuedPod): void {
    q.attempts++;
    q.lastAttemptAt = this.opts.now();
    q.epochAtPop = this.moveEpoch;
    q.placedEpochAtPop = this.placedEpoch;
    this.inFlight.set(q.info.key, q);
  }

  private activateOrBackoff(q: QueuedPod): void {
    if (q.backoffUntil > this.opts.now()) this.backoff.push(q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPod): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.startAttempt(q);
      waiter(q);
    } else {
      this.active.push(q);
    }
  }
}
