// Registers the Node, renews its Lease in kube-node-lease every renewInterval (the heartbeat the
// node lifecycle controller watches) and writes the Node's status when it changes, or at least
// every statusReportInterval, as the kubelet does.
import { NODES, LEASES, formatMicroTime } from '@skiff/api';
import type { KubeObject } from '@skiff/api';
import { ApiError, Backoff, isAlreadyExists, isNotFound, WakeableSleep, type RestClient } from '@skiff/client';
import type { ContainerRuntime } from '../runtime/types.ts';
import { availableParallelism, arch, platform, release, totalmem } from 'node:os';
import { buildNode, buildNodeStatus, type HostFacts, type NodeInput } from './node-object.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface HeartbeatOptions {
  client: RestClient;
  runtime: ContainerRuntime;
  node: Omit<NodeInput, 'host' | 'ready' | 'readyMessage' | 'now' | 'previous'>;
  leaseDurationSeconds: number;
  renewIntervalMs: number;
  statusReportIntervalMs: number;
  log(message: string): void;
}

export class NodeHeartbeat {
  private readonly o: HeartbeatOptions;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private nodeUid?: string;
  private lastStatusKey?: string;
  private lastStatusAt = 0;
  private previous?: { type: string; status: string; lastTransitionTime?: string }[];
  private host?: HostFacts;
  private readonly pause = new WakeableSleep();
  private lastAllocatable: Record<string, string> = {};

  constructor(o: HeartbeatOptions) {
    this.o = o;
  }

  /**
   * Registers the Node (create, or take over an existing one) and sends the first heartbeat.
   * Like the kubelet's registerWithAPIServer, an API server that does not answer (not started
   * yet, restarting) is retried with backoff (200 ms doubling to 7 s) until it does, or stop().
   * An answer that refuses the Node for good (a 4xx other than 429: Forbidden, Invalid, ...) is not
   * retried: start() rejects with it.
   */
  async start(): Promise<void> {
    const backoff = new Backoff({ initialMs: 200, maxMs: 7000 });
    for (;;) {
      try {
        await this.register();
        break;
      } catch (err) {
        if (this.stopped || !retryable(err)) throw err;
        const delay = backoff.next();
        this.o.log(`registering node ${this.o.node.name} failed, retrying in ${delay} ms: ${(err as Error).message}`);
        await this.pause.sleep(delay);
        if (this.stopped) throw new Error(`stopped before node ${this.o.node.name} was registered`);
      }
    }
    this.schedule();
  }

  private async register(): Promise<void> {
    const { client, runtime } = this.o;
    // A runtime that does not answer yet registers the Node NotReady (with what is known of the
    // host) instead of failing the agent; the next heartbeat that reaches it reports it Ready.
    const host = await this.hostFacts();
    const ready = await runtime.ping();
    const desired = buildNode({ ...this.o.node, host, ready, readyMessage: readyMessage(ready, runtime.name), now: new Date() });
    let node: KubeObject;
    try {
      node = await client.create(NODES, desired);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      node = await client.patch(NODES, undefined, this.o.node.name, { metadata: { labels: desired.metadata.labels } }, 'merge');
    }
    this.nodeUid = node.metadata.uid;
    this.previous = node.status?.conditions;
    await this.beat(true);
  }

  /** The node's allocatable resources as last reported (cpu, memory, ephemeral-storage, pods). */
  allocatable(): Readonly<Record<string, string>> {
    return this.lastAllocatable;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.pause.wake();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beat(false)
        .catch((err: Error) => this.o.log(`node heartbeat failed (will retry): ${err.message}`))
        .finally(() => this.schedule());
    }, this.o.renewIntervalMs);
    this.timer.unref();
  }

  private async beat(force: boolean): Promise<void> {
    await this.renewLease();
    const { runtime, client } = this.o;
    const ready = await runtime.ping();
    const host = await this.hostFacts();
    const status = buildNodeStatus({ ...this.o.node, host, ready, readyMessage: readyMessage(ready, runtime.name), now: new Date(), previous: this.previous });
    this.lastAllocatable = { ...(status.allocatable as Record<string, string>) };
    const key = JSON.stringify({ ...status, conditions: (status.conditions as { type: string; status: string }[]).map((c) => [c.type, c.status]) });
    const due = Date.now() - this.lastStatusAt >= this.o.statusReportIntervalMs;
    if (!force && !due && key === this.lastStatusKey) return;
    await client.patch(NODES, undefined, this.o.node.name, { status }, 'merge', { subresource: 'status' });
    this.previous = status.conditions as never;
    this.lastStatusKey = key;
    this.lastStatusAt = Date.now();
  }

  /** The runtime's view of the host; the last one known (or the process's) when it does not answer. */
  private async hostFacts(): Promise<HostFacts> {
    try {
      this.host = await this.o.runtime.info();
    } catch {
      this.host ??= {
        cpus: availableParallelism(),
        memoryBytes: totalmem(),
        os: platform() === 'win32' ? 'windows' : platform(),
        arch: arch() === 'x64' ? 'amd64' : arch(),
        kernelVersion: release(),
        osImage: '',
        runtimeVersion: `${this.o.runtime.name}://unknown`,
      };
    }
    return this.host;
  }

  private async renewLease(): Promise<void> {
    const { client, node } = this.o;
    const now = formatMicroTime();
    try {
      await client.patch(LEASES, NODE_LEASE_NAMESPACE, node.name, { spec: { holderIdentity: node.name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime: now } }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await client.create(LEASES, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: node.name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: this.nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: this.nodeUid }] : undefined,
        },
        spec: { holderIdentity: node.name, leaseDurationSeconds: this.o.leaseDurationSeconds, acquireTime: now, renewTime: now },
      });
    }
  }
}

function readyMessage(ready: boolean, runtime: string): string {
  return ready ? 'kubelet is posting ready status' : `container runtime ${runtime} is not answering`;
}

/** Whether a failed registration may succeed later: no answer at all, too many requests, or a server error. */
function retryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.code === 408 || err.code === 429 || err.code >= 500 || err.code === 0;
}
