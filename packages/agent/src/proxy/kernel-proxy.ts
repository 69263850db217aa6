// The service proxy in the kernel: follows Services and EndpointSlices and keeps this node's iptables
// rules (./iptables/rules.ts) in step, writing only what changed in one iptables-restore per
// burst of changes. The kernel then carries the traffic: nothing of it passes through the agent.
import { writeFile } from 'node:fs/promises';
import { ENDPOINT_SLICES, SERVICES, type KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { clusterChainPrefix, ensureJumps, type Ruleset } from '../iptables/cluster-chains.ts';
import { iptablesRestore, iptablesSave } from '../iptables/exec.ts';
import { computeServiceModel } from './iptables/model.ts';
import { computeRestore, parseSavedChains } from './iptables/restore.ts';
import { computeRules, proxyChains, proxyJumps, type ProxyChains } from './iptables/rules.ts';

export interface KernelProxyOptions {
  client: RestClient;
  /** Pods' address range: traffic from elsewhere to a ClusterIP is masqueraded. */
  clusterCIDR: string;
  /** Coalesce changes arriving within this window into one sync; default 10 ms. */
  batchMs?: number;
  log(message: string): void;
}

export interface SyncStats {
  /** When the last successful sync finished, and how long it took (ms). */
  at: number;
  durationMs: number;
  /** Bytes handed to iptables-restore (0 when nothing changed). */
  restoreBytes: number;
}

export class KernelProxy {
  private readonly o: KernelProxyOptions;
  /** This cluster's chain prefix and chain names: other clusters on the kernel have their own. */
  private readonly prefix: string;
  private readonly chains: ProxyChains;
  private readonly services: Informer<KubeObject>;
  private readonly slices: Informer<KubeObject>;
  private applied?: Ruleset;
  private jumped = false;
  private timer?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  private listeners: ((s: SyncStats) => void)[] = [];
  lastSync?: SyncStats;

  constructor(o: KernelProxyOptions) {
    this.o = o;
    this.prefix = clusterChainPrefix(o.clusterCIDR);
    this.chains = proxyChains(this.prefix);
    const onError = (err: unknown, ctx: string) => o.log(`service proxy watch (${ctx}): ${(err as Error).message}`);
    this.services = new Informer(o.client, SERVICES, { onError });
    this.slices = new Informer(o.client, ENDPOINT_SLICES, { onError });
    const changed = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    this.services.addEventHandler(changed);
    this.slices.addEventHandler(changed);
  }

  async start(): Promise<void> {
    // NodePorts on a loopback node address (several nodes on one machine use 127.0.1.N) are
    // DNATed to pod addresses; the kernel drops such packets unless route_localnet is on, which
    // kube-proxy turns on for the same reason.
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1').catch((err: Error) => this.o.log(`cannot enable route_localnet (NodePorts on loopback addresses will not answer): ${err.message}`));
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    await this.sync();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.services.stop();
    this.slices.stop();
  }

  /** Calls `fn` after every sync (benchmarks measure change-to-rule time with it). */
  onSync(fn: (s: SyncStats) => void): void {
    this.listeners.push(fn);
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.syncing = this.syncing.then(() => this.sync());
    }, this.o.batchMs ?? 10);
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const began = performance.now();
    try {
      // The first sync (or one after a failure) starts from what the kernel holds.
      this.applied ??= parseSavedChains(await iptablesSave(), this.prefix);
      const models = computeServiceModel(this.services.store.list(), this.slices.store.list());
      const next = computeRules(models, { clusterCIDR: this.o.clusterCIDR, chains: this.chains });
      const input = computeRestore(this.applied, next);
      if (input) await iptablesRestore(input);
      this.applied = next;
      // After the first sync made (or took over) the chains, the built-in chains jump to them, once each.
      if (!this.jumped) {
        await ensureJumps(proxyJumps(this.chains), `skiff cluster ${this.o.clusterCIDR}: services`);
        this.jumped = true;
      }
      this.lastSync = { at: Date.now(), durationMs: performance.now() - began, restoreBytes: input.length };
      for (const l of this.listeners) l(this.lastSync);
    } catch (err) {
      this.applied = undefined;
      this.o.log(`programming service rules failed (retrying in 1 s): ${(err as Error).message}`);
      if (!this.stopped) {
        setTimeout(() => this.schedule(), 1000).unref();
      }
    }
  }
}
