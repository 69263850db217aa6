// The service proxy in the kernel: follows Services and Endpoints and keeps this node's iptables
// rules (./iptables/rules.ts) in step, writing only what changed in one iptables-restore per
// burst of changes. The kernel then carries the traffic: nothing of it passes through the agent.
import { writeFile } from 'node:fs/promises';
import { ENDPOINTS, SERVICES, type KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { ensureJump, iptablesRestore, iptablesSave, removeJump } from './iptables/exec.ts';
import { computeServiceModel } from './iptables/model.ts';
import { computeRestore, parseSavedChains } from './iptables/restore.ts';
import { computeRules, JUMPS, type Ruleset } from './iptables/rules.ts';

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
  private readonly services: Informer<KubeObject>;
  private readonly endpoints: Informer<KubeObject>;
  private applied?: Ruleset;
  private timer?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  private listeners: ((s: SyncStats) => void)[] = [];
  lastSync?: SyncStats;

  constructor(o: KernelProxyOptions) {
    this.o = o;
    const onError = (err: unknown, ctx: string) => o.log(`service proxy watch (${ctx}): ${(err as Error).message}`);
    this.services = new Informer(o.client, SERVICES, { onError });
    this.endpoints = new Informer(o.client, ENDPOINTS, { onError });
    const changed = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    this.services.addEventHandler(changed);
    this.endpoints.addEventHandler(changed);
  }

  async start(): Promise<void> {
    // NodePorts on a loopback node address (several nodes on one machine use 127.0.1.N) are
    // DNATed to pod addresses; the kernel drops such packets unless route_localnet is on, which
    // kube-proxy turns on for the same reason.
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1').catch((err: Error) => this.o.log(`cannot enable route_localnet (NodePorts on loopback addresses will not answer): ${err.message}`));
    for (const j of JUMPS) await this.chainsExist(j.table, j.to);
    this.services.start();
    this.endpoints.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
    await this.sync();
    for (const j of JUMPS) await ensureJump(j.table, j.from, j.to, j.extra);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.services.stop();
    this.endpoints.stop();
  }

  /** Calls `fn` after every sync (benchmarks measure change-to-rule time with it). */
  onSync(fn: (s: SyncStats) => void): void {
    this.listeners.push(fn);
  }

  private async chainsExist(table: string, chain: string): Promise<void> {
    await iptablesRestore(`*${table}\n:${chain} - [0:0]\nCOMMIT\n`).catch(() => undefined);
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
      this.applied ??= parseSavedChains(await iptablesSave());
      const models = computeServiceModel(this.services.store.list(), this.endpoints.store.list());
      const next = computeRules(models, { clusterCIDR: this.o.clusterCIDR });
      const input = computeRestore(this.applied, next);
      if (input) await iptablesRestore(input);
      this.applied = next;
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

/** Removes every chain and jump of the kernel proxy (skiff down, tests). */
export async function removeKernelProxyRules(): Promise<void> {
  for (const j of JUMPS) await removeJump(j.table, j.from, j.to, j.extra);
  const saved = parseSavedChains(await iptablesSave(), 'SKIFF-');
  const lines: string[] = [];
  for (const [name, chains] of [['nat', saved.nat], ['filter', saved.filter]] as const) {
    const ours = [...chains.keys()];
    if (!ours.length) continue;
    lines.push(`*${name}`, ...ours.map((c) => `:${c} - [0:0]`), ...ours.map((c) => `-X ${c}`), 'COMMIT');
  }
  if (lines.length) await iptablesRestore(`${lines.join('\n')}\n`);
}
