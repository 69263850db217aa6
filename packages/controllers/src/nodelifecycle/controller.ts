// The node lifecycle controller: watches node leases; a node silent for longer than the grace
// period becomes Ready=Unknown with the unreachable taints, and its pods are deleted once their
// toleration of the NoExecute taint runs out, so that their controllers replace them elsewhere.
//
// "Silent" is measured on this controller's clock from when it last saw the lease change (as
// Kubernetes does), so clock skew between nodes and the controller does not matter, and a
// controller that just started gives every node a full grace period.
import type { KubeObject } from '@skiff/api';
import { isNotFound, type Informer, type ReconcileResult, type RestClient, type InformerFactory , type EventRecorder } from '@skiff/client';
import { QueueController } from '../lib/controller.ts';
import { BY_NODE, NODE_INDEX } from '../lib/indexes.ts';
import { LEASES, NODES, PODS } from '../lib/resources.ts';
import { computeEvictionTime, computeNodeUpdate, computePodNotReadyConditions, isNodeStale, NODE_LEASE_NAMESPACE, type Taint } from './plan.ts';

export const NodeLifecycleEventReason = {
  NodeNotReady: 'NodeNotReady',
  TaintManagerEviction: 'TaintManagerEviction',
} as const;

export interface NodeLifecycleControllerOptions {
  client: RestClient;
  factory: InformerFactory;
  recorder: EventRecorder;
  /** Default 40 s. */
  gracePeriodMs?: number;
  /** Toleration of the unreachable / not-ready taints for pods that set none; default 300 s. */
  defaultTolerationSeconds?: number;
  /** How often every node is checked; default 5 s (or the grace period / 4 if smaller). */
  monitorPeriodMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

export class NodeLifecycleController extends QueueController {
  readonly name = 'node-lifecycle-controller';
  private readonly client: RestClient;
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly gracePeriodMs: number;
  private readonly defaultTolerationSeconds: number;
  private readonly monitorPeriodMs: number;
  /** node name -> the heartbeat last seen and when (on our clock) it changed. */
  private readonly heartbeats = new Map<string, { value: string; seenAt: number }>();
  private timer?: NodeJS.Timeout;

  constructor(opts: NodeLifecycleControllerOptions) {
    super(opts.log);
    this.client = opts.client;
    this.recorder = opts.recorder;
    this.gracePeriodMs = opts.gracePeriodMs ?? 40_000;
    this.defaultTolerationSeconds = opts.defaultTolerationSeconds ?? 300;
    this.monitorPeriodMs = opts.monitorPeriodMs ?? Math.min(5000, Math.max(100, this.gracePeriodMs / 4));
    this.nodes = opts.factory.informerFor(NODES);
    this.leases = opts.factory.informerFor(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = opts.factory.informerFor(PODS, { indexers: NODE_INDEX });

    this.nodes.addEventHandler({
      onAdd: (n) => this.enqueueKey(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueueKey(n.metadata.name!),
      onDelete: (n) => this.heartbeats.delete(n.metadata.name!),
    });
    this.leases.addEventHandler({
      onAdd: (l) => this.enqueueKey(l.metadata.name!),
      onUpdate: (_o, l) => this.enqueueKey(l.metadata.name!),
    });
  }

  override run(workers: number): Promise<void> {
    this.timer = setInterval(() => {
      for (const n of this.nodes.store.list()) this.enqueueKey(n.metadata.name!);
    }, this.monitorPeriodMs);
    return super.run(workers);
  }

  override stop(): void {
    clearInterval(this.timer);
    super.stop();
  }

  /** The node's latest sign of life: its lease's renewTime, else its Ready heartbeat. */
  private heartbeatOf(node: KubeObject): string {
    const lease = this.leases.store.getByName(NODE_LEASE_NAMESPACE, node.metadata.name!);
    const renew = lease?.spec?.renewTime;
    if (renew) return `lease:${renew}`;
    const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    return `status:${ready?.lastHeartbeatTime ?? ''}`;
  }

  protected async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const now = Date.now();
    const beat = this.heartbeatOf(node);
    const seen = this.heartbeats.get(name);
    if (!seen || seen.value !== beat) this.heartbeats.set(name, { value: beat, seenAt: now });
    const lastHeartbeat = this.heartbeats.get(name)!.seenAt;
    const stale = isNodeStale({ lastHeartbeat, now, gracePeriodMs: this.gracePeriodMs });

    const update = computeNodeUpdate(node, stale, now);
    let taints: Taint[] = node.spec?.taints ?? [];
    if (update.conditions) {
      await this.client.patch(NODES, undefined, name, { status: { conditions: update.conditions } }, 'merge', { subresource: 'status' });
      if (stale) this.recorder.normal(node, NodeLifecycleEventReason.NodeNotReady, `Node ${name} status is now: NodeNotReady`);
    }
    if (update.taints) {
      await this.client.patch(NODES, undefined, name, { spec: { taints: update.taints } }, 'merge');
      taints = update.taints;
    }

    // Evict the pods whose toleration ran out; look again when the next one will.
    let next: number | undefined;
    for (const pod of this.pods.store.byIndex(BY_NODE, name)) {
      if (pod.metadata.deletionTimestamp) continue;
      const notReady = stale ? computePodNotReadyConditions(pod, now) : undefined;
      if (notReady) {
        await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { status: { conditions: notReady } }, 'merge', { subresource: 'status' }).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      }
      const at = computeEvictionTime(pod, taints, this.defaultTolerationSeconds);
      if (at === undefined) continue;
      if (at <= now) {
        try {
          await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          this.recorder.normal(pod, NodeLifecycleEventReason.TaintManagerEviction, `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      } else {
        next = next === undefined ? at - now : Math.min(next, at - now);
      }
    }
    const untilStale = stale ? undefined : lastHeartbeat + this.gracePeriodMs - now + 10;
    const after = [next, untilStale].filter((x): x is number => x !== undefined);
    return after.length ? { requeueAfterMs: Math.max(10, Math.min(...after)) } : undefined;
  }
}
