// The scheduler's Prometheus metrics, on a registry of its own so that several schedulers (and
// the API server) can share a process. Names follow kube-scheduler's where one exists.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueLengths } from './queue.ts';

export type AttemptMetricResult = 'scheduled' | 'unschedulable' | 'error';

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Scheduling attempts by result: scheduled, unschedulable (no node fits), error (binding failed).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly e2eLatency = new Histogram({
    name: 'scheduler_pod_scheduling_duration_seconds',
    help: 'From a pod entering the scheduling queue to its binding being accepted, over all attempts.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly algorithmLatency = new Histogram({
    name: 'scheduler_scheduling_algorithm_duration_seconds',
    help: 'Time to filter and score the nodes for one attempt.',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  });
  readonly droppedEvents = new Counter({
    name: 'scheduler_events_dropped_total',
    help: 'Events (Scheduled, FailedScheduling) not sent because too many were already waiting.',
    registers: [this.registry],
  });

  readonly preemptionAttempts = new Counter({
    name: 'scheduler_preemption_attempts_total',
    help: 'Preemptions carried out: a node was nominated and victims evicted.',
    registers: [this.registry],
  });
  readonly preemptionVictims = new Histogram({
    name: 'scheduler_preemption_victims',
    help: 'Victims of each preemption.',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [this.registry],
  });

  constructor(queueLengths: () => QueueLengths) {
    new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Pods waiting in the scheduling queue, by queue: active, backoff, unschedulable.',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      collect() {
        const l = queueLengths();
        this.set({ queue: 'active' }, l.active);
        this.set({ queue: 'backoff' }, l.backoff);
        this.set({ queue: 'unschedulable' }, l.unschedulable);
      },
    });
    for (const r of ['scheduled', 'unschedulable', 'error'] as const) this.attempts.inc({ result: r }, 0);
  }
}
