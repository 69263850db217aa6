// The effectful scheduler: informers feed the cache and the queue, one loop takes pods off the
// queue and runs the pure pipeline (pipeline.ts) on them, bindings and status reports go out in
// the background. Everything it learns or changes goes through the REST API.
//
//   nodes informer ──────────────────────┐
//   pods informer ─┬─ bound (nodeName) ───┴─> cache (nodes, pods, assumed pods)
//                  └─ pending (no nodeName) ─> queue ──> loop: computePlacement ─┬─ fits: assume, bind ── Scheduled event
//                                                                               └─ none: park, PodScheduled=False, FailedScheduling event

import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import { NAMESPACES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, POD_DISRUPTION_BUDGETS, resourceByPlural, STORAGE_CLASSES, type KubeObject } from '@skiff/api';
import { BackgroundSender, dropManagedFields, EventRecorder, filteringHandlers, isConflict, isNotFound, LeaderElector, RestClient, SharedInformerFactory, type InformerFactory } from '@skiff/client';
import { isTerminal, SchedulerCache } from './cache.ts';
import { defaultConfig, type SchedulerConfig } from './config.ts';
import { computeUnschedulableCondition, REASON_FAILED_SCHEDULING, REASON_SCHEDULED } from './events.ts';
import { ExplanationStore, renderExplanation, SCHEDULER_ENDPOINT_ANNOTATION, SCHEDULER_LEASE, type Explanation, type ExplanationJSON } from './explain.ts';
import { buildEndpoint, listen } from './http.ts';
import { SchedulerMetrics } from './metrics.ts';
import { nodeSchedulingPropertiesChanged } from './model/node-info.ts';
import { computePodInfo, podKey, type PodInfo } from './model/pod-info.ts';
import type { Node, Pod } from './model/types.ts';
import { computePlacement } from './pipeline.ts';
import { Nominator } from './nominator.ts';
import { computePreemption, type PreemptionPlan } from './preemption.ts';
import { buildProfile } from './profile.ts';
import { SchedulingQueue, type QueuedPod } from './queue.ts';
import { SELECTED_NODE_ANNOTATION, VolumeState } from './volumes.ts';

const PODS = resourceByPlural('', 'pods')!;
const NODES = resourceByPlural('', 'nodes')!;

export interface LeaderElectionConfig {
  namespace?: string;
  name?: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface SchedulerOptions {
  /** API server URL, e.g. http://127.0.0.1:6443. */
  server: string;
  token?: string;
  /** PEM: the CA that signed the server's certificate, and a client certificate and key (https). */
  ca?: string;
  cert?: string;
  key?: string;
  config?: SchedulerConfig;
  /** The explain/metrics/healthz endpoint; port 0 picks a free one; false for none. Default 127.0.0.1:10259. */
  endpoint?: { port: number; host?: string } | false;
  /** Lease-based leader election (default on, Lease kube-system/skiff-scheduler); false to always lead. */
  leaderElection?: LeaderElectionConfig | false;
  /** How many node verdicts and scores the kept explanations may hold in all; default 1,000,000 (tens of MB). */
  explainBudget?: number;
  /** Tie-breaking randomness; default Math.random. */
  random?: () => number;
  log?: (msg: string) => void;
  /**
   * Informers shared with other components of this thread (`skiff server`, ADR 0022), used
   * through a scope; its owner starts and stops it. Default: a factory of the scheduler's own.
   * Its informers should drop managedFields, as the scheduler's own do.
   */
  informers?: SharedInformerFactory;
}

export interface Scheduler {
  /** Starts the informers, the endpoint and the election; resolves once the caches have synced. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The last scheduling attempt of a pod, as served on /explain/{namespace}/{name}. */
  explain(namespace: string, name: string): ExplanationJSON | undefined;
  isLeader(): boolean;
  /** The endpoint's base URL once started. */
  readonly endpointUrl: string | undefined;
  readonly metrics: SchedulerMetrics;
}

/** Connections for bindings (and the informers' lists). */
export const BIND_CONNECTIONS = 64;
/** How long the loop runs before letting I/O (watch events, binding replies) through. */
const SLICE_MS = 10;
/** kube-scheduler's default client rate (clientConnection qps and burst), applied to each report stream. */
export const REPORT_QPS = 50;
export const REPORT_BURST = 100;
/** How long an accepted binding may wait for the watch before the cache forgets it. */
const ASSUMED_TTL_MS = 30_000;

/** Pods a newly placed pod can make schedulable: required pod affinity, DoNotSchedule spreading. */
function waitsOnOtherPods(info: PodInfo): boolean {
  return (info.terms?.requiredAffinity.length ?? 0) > 0 || info.spread.some((c) => c.whenUnsatisfiable === 'DoNotSchedule');
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const config = opts.config ?? defaultConfig();
  const log = opts.log ?? ((m: string) => console.log(`scheduler: ${m}`));
  const random = opts.random ?? Math.random;
  const identity = (opts.leaderElection && opts.leaderElection.identity) || `${hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  // Bindings and reads on one connection pool, reports (events, status) on another so that
  // they never hold up a binding. The server commits a batch of writes per turn, so bindings
  // in parallel keep up with pods being created; with 32 connections against 32 creating
  // clients they fell behind (bench: p50 2 s instead of 0.1 s, at a lower rate).
  const conn = { server: opts.server, token: opts.token, ca: opts.ca, cert: opts.cert, key: opts.key, userAgent: 'skiff-scheduler' };
  const client = new RestClient({ ...conn, maxConnections: BIND_CONNECTIONS });
  const reportClient = new RestClient({ ...conn, maxConnections: 4 });

  const cache = new SchedulerCache();
  const queue = new SchedulingQueue({
    now: Date.now,
    initialBackoffMs: config.podInitialBackoffSeconds * 1000,
    maxBackoffMs: config.podMaxBackoffSeconds * 1000,
    waitsOnOtherPods,
  });
  const explanations = new ExplanationStore(opts.explainBudget ?? 1_000_000);
  const metrics = new SchedulerMetrics(() => queue.lengths());
  // Events and the Unschedulable condition are informative: sent in the background, a few at a
  // time, and dropped rather than queued without bound or slowing the scheduling down. Each of
  // the two streams is paced at kube-scheduler's default client rate (KubeSchedulerConfiguration
  // clientConnection: qps 50, burst 100; its Events go through a client of their own with the
  // same limits), so a flood of unschedulable pods costs the API server at most ~100 reports a
  // second, as with kube-scheduler, instead of as many as 4 connections carry. Bindings are not
  // paced (unlike kube-scheduler's): they are the scheduler's throughput (bench:scheduler).
  const reportOpts = {
    maxInFlight: 4,
    maxPending: 1000,
    qps: REPORT_QPS,
    burst: REPORT_BURST,
    onDrop: () => metrics.droppedEvents.inc(),
    onError: (err: unknown) => log(`report failed: ${(err as Error).message}`),
  };
  const reports = new BackgroundSender(reportOpts);
  const events = new EventRecorder(reportClient, { ...reportOpts, component: config.schedulerName, instance: identity });

  // The caches drop managedFields, as kube-scheduler's do: the scheduler never reads them. In
  // `skiff server` the informers are shared with the controller manager of the same thread
  // (ADR 0022): this scheduler's share of them is a scope, which stop() lets go of.
  const informerOpts = { onError: (err: unknown, context: string) => log(`informer: ${context}: ${(err as Error)?.message ?? err}`), transform: dropManagedFields };
  const factory: InformerFactory = opts.informers ? opts.informers.scope() : new SharedInformerFactory(client, { defaults: informerOpts });
  const nodes = factory.informerFor(NODES);
  // One informer for every pod, as kube-scheduler has: bound pods feed the cache, pods without a
  // node the queue (filteringHandlers below).
  const pods = factory.informerFor(PODS);
  const claims = factory.informerFor(PERSISTENT_VOLUME_CLAIMS);
  const pvs = factory.informerFor(PERSISTENT_VOLUMES);
  const classes = factory.informerFor(STORAGE_CLASSES);
  // Namespaces' labels, for pod affinity terms with a namespaceSelector.
  const namespaces = factory.informerFor(NAMESPACES);
  // PodDisruptionBudgets, for preemption's choice of victims.
  const budgets = factory.informerFor(POD_DISRUPTION_BUDGETS);
  const volumes = new VolumeState({
    claims: claims.store,
    volumes: pvs.store,
    classes: classes.store,
    // Bound and assumed pods that mount the claim (ReadWriteOncePod allows one).
    claimUsers: (ns, name) => {
      const out: string[] = [];
      for (const n of cache.nodeList()) {
        for (const [key, p] of n.pods) {
          if (p.pod.metadata.namespace === ns && ((p.pod.spec as { volumes?: { persistentVolumeClaim?: { claimName: string } }[] }).volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name)) out.push(key);
        }
      }
      return out;
    },
  });
  const namespaceLabels = (ns: string) => {
    const o = namespaces.store.get(ns);
    return o && (o.metadata.labels ?? {});
  };
  const profile = buildProfile(config, volumes, namespaceLabels);
  // A claim or volume that changes may make a waiting pod schedulable.
  for (const inf of [claims, pvs, classes]) {
    inf.addEventHandler({ onAdd: () => queue.moveAllToActiveOrBackoff(), onUpdate: () => queue.moveAllToActiveOrBackoff(), onDelete: () => queue.moveAllToActiveOrBackoff() });
  }

  /** Pods this scheduler nominated a node for by preempting, until they are placed. */
  const nominated = new Nominator();
  let leading = false;
  let wakeLeader: (() => void) | undefined;
  let stopped = false;
  let nextStartIndex = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  let endpoint: Server | undefined;
  let endpointUrl: string | undefined;
  let loop: Promise<void> | undefined;
  let elector: LeaderElector | undefined;

  const responsibleFor = (pod: Pod) =>
    !pod.spec.nodeName && (pod.spec.schedulerName || 'default-scheduler') === config.schedulerName && !pod.metadata.deletionTimestamp && !isTerminal(pod);

  // --- informer handlers: keep cache and queue level with the API server ---
  nodes.addEventHandler({
    onAdd: (n) => {
      cache.addOrUpdateNode(n as Node);
      queue.moveAllToActiveOrBackoff();
    },
    onUpdate: (old, n) => {
      cache.addOrUpdateNode(n as Node);
      if (nodeSchedulingPropertiesChanged(old as Node, n as Node)) queue.moveAllToActiveOrBackoff();
    },
    onDelete: (n) => cache.removeNode(n.metadata.name!),
  });
  const isBound = (p: KubeObject) => Boolean((p as Pod).spec?.nodeName);
  pods.addEventHandler(filteringHandlers(isBound, {
    onAdd: (p) => {
      cache.addOrUpdatePod(p as Pod);
      queue.delete(podKey(p));
      // A pod placed somewhere can satisfy a waiting pod's required affinity, or raise the
      // minimum a DoNotSchedule spread constraint measures skew against.
      queue.podPlaced();
    },
    onUpdate: (old, p) => {
      cache.addOrUpdatePod(p as Pod);
      if (!isTerminal(old as Pod) && isTerminal(p as Pod)) queue.moveAllToActiveOrBackoff();
    },
    onDelete: (p) => {
      cache.removePod(podKey(p));
      explanations.forget(podKey(p));
      queue.moveAllToActiveOrBackoff();
    },
  }));
  const onPending = (p: KubeObject) => {
    const pod = p as Pod;
    if (responsibleFor(pod)) queue.addOrUpdate(computePodInfo(pod));
    else queue.delete(podKey(pod));
  };
  pods.addEventHandler(filteringHandlers((p) => !isBound(p), {
    onAdd: onPending,
    onUpdate: (_old, p) => onPending(p),
    onDelete: (p) => {
      // A pod leaves the pending ones when it is bound (it then has a nodeName) or deleted.
      queue.delete(podKey(p));
      nominated.remove(podKey(p));
      if (!isBound(p)) explanations.forget(podKey(p));
    },
  }));

  // --- the scheduling loop ---
  async function run(): Promise<void> {
    let sliceStart = performance.now();
    while (!stopped) {
      if (!leading) {
        await new Promise<void>((resolve) => (wakeLeader = resolve));
        continue;
      }
      const qp = await queue.pop();
      if (!qp) return;
      if (!leading) {
        queue.requeue(qp, 'error');
        continue;
      }
      try {
        scheduleOne(qp);
      } catch (err) {
        // A bug or a malformed object must not stop the loop: count it and retry the pod later.
        log(`scheduling ${qp.info.key} failed: ${(err as Error).stack ?? err}`);
        metrics.attempts.inc({ result: 'error' });
        cache.forget(qp.info.key);
        queue.requeue(qp, 'error');
      }
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
  }

  function scheduleOne(qp: QueuedPod): void {
    const t0 = performance.now();
    const placement = computePlacement({
      pod: qp.info,
      nodes: cache.nodeList(),
      profile,
      percentageOfNodesToScore: config.percentageOfNodesToScore,
      startIndex: nextStartIndex,
      random,
      nominated: nominated.byNodeName(),
    });
    metrics.algorithmLatency.observe((performance.now() - t0) / 1000);
    nextStartIndex = placement.nextStartIndex;
    explanations.record(placement.explanation);
    if (placement.node === undefined) {
      metrics.attempts.inc({ result: 'unschedulable' });
      // PostFilter: make room by evicting pods of lower priority, if that can work anywhere.
      const plan = computePreemption({ pod: qp.info, nodes: cache.nodeList(), filters: profile.filters, rejected: placement.explanation.rejected, nominatedNode: nominated.nodeOf(qp.info.key), budgets: budgets.store.list() });
      if (plan) {
        placement.explanation.preemption = { node: plan.node, victims: plan.victims.map((v) => v.key), budgetViolations: plan.budgetViolations };
        preempt(qp.info, plan);
      }
      queue.requeue(qp, 'unschedulable');
      reportUnschedulable(qp.info.pod, placement.message!);
      return;
    }
    nominated.remove(qp.info.key);
    // Take the node's resources now so the next pod sees them, then bind in the background.
    cache.assume(qp.info, placement.node);
    void bind(qp, placement.node, placement.explanation);
  }

  async function bind(qp: QueuedPod, node: string, explanation: Explanation): Promise<void> {
    const pod = qp.info.pod;
    const { namespace = 'default', name = '' } = pod.metadata;
    try {
      // PreBind (VolumeBinding): unbound WaitForFirstConsumer claims learn the chosen node, for
      // their provisioner. Unlike kube-scheduler, the pod is bound without waiting for the claims
      // to be bound: the local provisioner runs in that node's agent, which waits (ADR 0011).
      for (const claim of volumes.claimsToSelect(pod, node)) {
        await client.patch(PERSISTENT_VOLUME_CLAIMS, namespace, claim, { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } } }, 'merge');
      }
      await client.bind(namespace, name, node, { uid: pod.metadata.uid });
    } catch (err) {
      // 409 (bound meanwhile, or a different pod of that name) or 404 (gone): undo the
      // assumption; retry after the backoff unless the pod is gone.
      cache.forget(qp.info.key);
      metrics.attempts.inc({ result: 'error' });
      const message = `Binding rejected: ${(err as Error).message}`;
      explanation.result = 'BindingFailed';
      explanation.message = message;
      if (isNotFound(err)) queue.delete(qp.info.key);
      else queue.requeue(qp, 'error');
      report(pod, 'Warning', REASON_FAILED_SCHEDULING, message);
      return;
    }
    cache.finishBinding(qp.info.key, Date.now() + ASSUMED_TTL_MS);
    queue.done(qp.info.key);
    metrics.attempts.inc({ result: 'scheduled' });
    metrics.e2eLatency.observe((Date.now() - qp.firstSeenAt) / 1000);
    report(pod, 'Normal', REASON_SCHEDULED, `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /**
   * Nominates the node in the pod's status and evicts the victims (gracefully, with the
   * DisruptionTarget condition and a Preempted event, as kube-scheduler does); the pod is tried
   * again when they are gone.
   */
  function preempt(info: PodInfo, plan: PreemptionPlan): void {
    const { namespace = 'default', name = '', uid } = info.pod.metadata;
    nominated.nominate(info, plan.node);
    // The cache counts them as leaving at once, so the next attempt does not pick more victims.
    for (const v of plan.victims) v.terminating = true;
    metrics.preemptionAttempts.inc();
    metrics.preemptionVictims.observe(plan.victims.length);
    reports.send(() =>
      reportClient.patch(PODS, namespace, name, { status: { nominatedNodeName: plan.node } }, 'merge', { subresource: 'status' }).catch((err) => {
        if (!isNotFound(err)) throw err;
      }),
    );
    for (const v of plan.victims) {
      const vm = v.pod.metadata;
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${config.schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date().toISOString() };
      void (async () => {
        try {
          await client.patch(PODS, vm.namespace ?? 'default', vm.name!, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' });
          await client.delete(PODS, vm.namespace ?? 'default', vm.name!, { preconditions: { uid: vm.uid } });
          report(v.pod, 'Normal', 'Preempted', `Preempted by pod ${uid} on node ${plan.node}`);
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) log(`preempting ${v.key} failed: ${(err as Error).message}`);
        }
      })();
    }
  }

  function report(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    events.record(pod as KubeObject, type, reason, message);
  }

  function reportUnschedulable(pod: Pod, message: string): void {
    report(pod, 'Warning', REASON_FAILED_SCHEDULING, message);
    const condition = computeUnschedulableCondition(pod, message, new Date());
    if (!condition) return;
    const { namespace = 'default', name = '' } = pod.metadata;
    // A strategic merge patch: conditions merge by type, so other conditions stay as they are.
    // Reports are paced, so this may go out seconds after the attempt: by then the pod may be
    // bound (PodScheduled=True, which a stale False must not overwrite) or gone; only a pod
    // still pending (the same one, not assumed onto a node meanwhile) gets it.
    reports.send(() => {
      const current = pods.store.get(podKey(pod));
      if (!current || current.metadata.uid !== pod.metadata.uid || current.spec?.nodeName || cache.isAssumed(podKey(pod))) return Promise.resolve();
      return reportClient.patch(PODS, namespace, name, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    });
  }

  function setLeading(value: boolean): void {
    leading = value;
    log(value ? `${identity} is the leader; scheduling` : `${identity} lost the lease; not scheduling`);
    if (value) wakeLeader?.();
  }

  return {
    metrics,
    get endpointUrl() {
      return endpointUrl;
    },
    isLeader: () => leading,
    explain(namespace, name) {
      const e = explanations.get(`${namespace}/${name}`);
      return e && renderExplanation(e);
    },
    async start() {
      if (opts.endpoint !== false) {
        const { port = 10259, host = '127.0.0.1' } = opts.endpoint ?? {};
        endpoint = buildEndpoint({
          metrics,
          explain: (ns, n) => this.explain(ns, n),
          healthy: () => !stopped && nodes.hasSynced() && pods.hasSynced(),
        });
        endpointUrl = await listen(endpoint, port, host);
      }
      factory.start();
      // Decisions need the whole picture: wait for nodes and bound pods before scheduling. The
      // storage caches fill alongside (a server without the storage kinds must not stop the
      // scheduler); a pod whose claim is not in the cache yet is retried when it arrives.
      await Promise.all([nodes.waitForSync(), pods.waitForSync()]);
      flushTimer = setInterval(() => {
        queue.flush();
        cache.cleanupExpired(Date.now());
      }, 250);
      flushTimer.unref();
      loop = run();
      if (opts.leaderElection === false) {
        setLeading(true);
      } else {
        const le = opts.leaderElection ?? {};
        elector = new LeaderElector({
          client,
          namespace: le.namespace ?? SCHEDULER_LEASE.namespace,
          name: le.name ?? SCHEDULER_LEASE.name,
          identity,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          releaseOnStop: true,
          // `skiff explain` finds the active scheduler's endpoint here, whatever port it fell back to.
          annotations: endpointUrl ? { [SCHEDULER_ENDPOINT_ANNOTATION]: endpointUrl } : undefined,
          onStartedLeading: () => setLeading(true),
          onStoppedLeading: () => setLeading(false),
          onError: (err) => log(`leader election: ${(err as Error).message}`),
        });
        elector.start();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await elector?.stop();
      leading = false;
      wakeLeader?.();
      queue.close();
      clearInterval(flushTimer);
      factory.stop();
      await loop;
      await Promise.race([Promise.all([reports.idle(), events.idle()]), new Promise((r) => setTimeout(r, 2000).unref())]);
      if (endpoint) await new Promise((r) => endpoint!.close(r));
      endpoint?.closeAllConnections();
      client.close();
      reportClient.close();
    },
  };
}
