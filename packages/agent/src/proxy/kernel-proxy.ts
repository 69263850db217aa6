// The service proxy in the kernel: follows Services and EndpointSlices and keeps this node's
// nftables table (./nftables/rules.ts) in step, writing only what changed in one `nft -f`
// transaction per burst of changes. The kernel then carries the traffic: nothing of it passes
// through the agent.
import { writeFile } from 'node:fs/promises';
import { ENDPOINT_SLICES, groupSlicesByService, NODES, SERVICES, type KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';
import { removeIptablesProxyChains } from '../iptables/cluster-chains.ts';
import { nftApply } from '../nftables/exec.ts';
import { PROXY_PROGRAMMED_ANNOTATION } from './drain.ts';
import { computeServiceModel } from './model.ts';
import { computeNftRules, mergeNftRulesets, proxyTable, type NftRuleset } from './nftables/rules.ts';
import { computeFullLoad, computeTransaction } from './nftables/transaction.ts';

export interface KernelProxyOptions {
  client: RestClient;
  /** Pods' address range: traffic from elsewhere to a ClusterIP is masqueraded. */
  clusterCIDR: string;
  /** Coalesce changes arriving within this window into one sync; default 10 ms. */
  batchMs?: number;
  /**
   * This node: after each sync the proxy publishes the EndpointSlice resourceVersion its rules
   * reflect on it (PROXY_PROGRAMMED_ANNOTATION), which agents wait for before stopping a deleted
   * pod (./drain.ts). Absent (benchmarks): nothing is published.
   */
  nodeName?: string;
  /** The agent's EndpointSlice informer, shared; default one of its own. */
  slices?: Informer<KubeObject>;
  log(message: string): void;
}

export interface SyncStats {
  /** When the last successful sync finished, and how long it took (ms). */
  at: number;
  durationMs: number;
  /** Bytes handed to `nft -f` (0 when nothing changed). */
  inputBytes: number;
}

export class KernelProxy {
  private readonly o: KernelProxyOptions;
  /** This cluster's table: other clusters on the kernel have their own. */
  private readonly table: string;
  private readonly services: Informer<KubeObject>;
  private readonly slices: Informer<KubeObject>;
  /**
   * The rules of each Service (by namespace/name) with the versions of the Service and its
   * EndpointSlices they were computed from: a sync recomputes and rewrites only the Services
   * whose objects changed.
   */
  private fragments = new Map<string, { version: string; rules: NftRuleset }>();
  /** Whether the table holds `fragments`; false before the first sync and after a failure (the next one loads the table whole). */
  private loaded = false;
  /** The hairpin set's elements in place (shared by Services: an endpoint may back several). */
  private hairpin = new Set<string>();
  private timer?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;
  private listeners: ((s: SyncStats) => void)[] = [];
  /** The EndpointSlice resourceVersion the rules in place reflect, and the one last published. */
  private programmed?: string;
  private published?: string;
  private publishing = false;
  lastSync?: SyncStats;

  constructor(o: KernelProxyOptions) {
    this.o = o;
    this.table = proxyTable(o.clusterCIDR);
    const onError = (err: unknown, ctx: string) => o.log(`service proxy watch (${ctx}): ${(err as Error).message}`);
    this.services = new Informer(o.client, SERVICES, { onError });
    this.slices = o.slices ?? new Informer(o.client, ENDPOINT_SLICES, { onError });
    const changed = { onAdd: () => this.schedule(), onUpdate: () => this.schedule(), onDelete: () => this.schedule() };
    this.services.addEventHandler(changed);
    this.slices.addEventHandler(changed);
  }

  async start(): Promise<void> {
    // NodePorts on a loopback node address (several nodes on one machine use 127.0.1.N) are
    // DNATed to pod addresses; the kernel drops such packets unless route_localnet is on, which
    // kube-proxy turns on for the same reason.
    await writeFile('/proc/sys/net/ipv4/conf/all/route_localnet', '1').catch((err: Error) => this.o.log(`cannot enable route_localnet (NodePorts on loopback addresses will not answer): ${err.message}`));
    // Chains the proxy's iptables version left (an agent upgraded in place).
    await removeIptablesProxyChains(this.o.clusterCIDR).catch((err: Error) => this.o.log(`removing the service proxy's old iptables chains failed: ${err.message}`));
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

  /** Publishes what the rules reflect on this node; one patch at a time, the latest value wins. */
  private async publish(): Promise<void> {
    const { nodeName, client } = this.o;
    if (!nodeName || this.publishing || this.stopped) return;
    this.publishing = true;
    try {
      while (this.programmed !== undefined && this.programmed !== this.published && !this.stopped) {
        const value = this.programmed;
        await client.patch(NODES, undefined, nodeName, { metadata: { annotations: { [PROXY_PROGRAMMED_ANNOTATION]: value } } }, 'merge');
        this.published = value;
      }
    } catch (err) {
      // Deletions of pods behind Services then wait out their bound; the next sync tries again.
      this.o.log(`publishing the programmed EndpointSlice version failed: ${(err as Error).message}`);
    } finally {
      this.publishing = false;
    }
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const began = performance.now();
    // What the informer had delivered when the model below was computed (nothing awaits in between).
    let seen: string | undefined;
    try {
      seen = this.slices.lastSyncResourceVersion();
      const bySlices = groupSlicesByService(this.slices.store.list());
      const next = new Map<string, { version: string; rules: NftRuleset }>();
      const changed: string[] = [];
      for (const svc of this.services.store.list()) {
        const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
        const slices = bySlices.get(key) ?? [];
        const version = `${svc.metadata.resourceVersion}|${slices.map((x) => `${x.metadata.name}@${x.metadata.resourceVersion}`).sort().join(',')}`;
        const cached = this.fragments.get(key);
        if (cached?.version === version) next.set(key, cached);
        else {
          next.set(key, { version, rules: computeNftRules(computeServiceModel([svc], slices), { clusterCIDR: this.o.clusterCIDR }) });
          changed.push(key);
        }
      }
      for (const key of this.fragments.keys()) if (!next.has(key)) changed.push(key);
      const hairpin = new Set<string>();
      for (const f of next.values()) for (const h of f.rules.hairpin) hairpin.add(h);
      let input: string;
      if (!this.loaded) {
        // The first sync (or one after a failure) replaces the table whole, whatever an earlier run left.
        input = computeFullLoad(this.table, this.o.clusterCIDR, { ...mergeNftRulesets([...next.values()].map((f) => f.rules)), hairpin });
      } else {
        const part = (m: Map<string, { rules: NftRuleset }>) => mergeNftRulesets(changed.flatMap((k) => (m.has(k) ? [m.get(k)!.rules] : [])));
        input = computeTransaction(this.table, { ...part(this.fragments), hairpin: this.hairpin }, { ...part(next), hairpin });
      }
      // Computed, but not applied yet: a failure below reloads the table whole next time.
      this.fragments = next;
      this.loaded = false;
      if (input) await nftApply(input);
      this.loaded = true;
      this.hairpin = hairpin;
      this.lastSync = { at: Date.now(), durationMs: performance.now() - began, inputBytes: input.length };
      for (const l of this.listeners) l(this.lastSync);
      this.programmed = seen;
      void this.publish();
    } catch (err) {
      this.loaded = false;
      this.o.log(`programming service rules failed (retrying in 1 s): ${(err as Error).message}`);
      if (!this.stopped) {
        setTimeout(() => this.schedule(), 1000).unref();
      }
    }
  }
}
