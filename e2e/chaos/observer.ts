// Watches a Deployment's pods for the whole chaos run (an informer: it reconnects while the API
// server is down and relists after a 410) and records every violation of what must hold at
// every moment, not only at the end:
// - at most replicas + maxSurge active pods (not terminating, not finished);
// - a pod, once bound to a node, stays on that node (a second binding would run it twice).
import type { KubeObject } from '@skiff/api';
import { Informer, type RestClient } from '@skiff/client';

const PODS = { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' } as const;

export function isActive(p: KubeObject): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

export class PodObserver {
  readonly violations: string[] = [];
  maxActive = 0;
  private readonly informer: Informer<KubeObject>;
  private readonly boundTo = new Map<string, string>();
  private readonly limit: number;
  private readonly clock: () => string;

  constructor(client: RestClient, opts: { namespace: string; labelSelector: string; limit: number; clock: () => string }) {
    this.limit = opts.limit;
    this.clock = opts.clock;
    this.informer = new Informer<KubeObject>(client, PODS, { namespace: opts.namespace, labelSelector: opts.labelSelector, onError: () => {} });
    const seen = (p: KubeObject) => this.seen(p);
    this.informer.addEventHandler({ onAdd: seen, onUpdate: (_old, p) => seen(p), onDelete: () => this.count() });
  }

  start(): Promise<void> {
    this.informer.start();
    return this.informer.waitForSync();
  }

  stop(): void {
    this.informer.stop();
  }

  pods(): KubeObject[] {
    return this.informer.store.list();
  }

  private seen(p: KubeObject): void {
    const node = p.spec?.nodeName;
    const uid = p.metadata.uid!;
    const before = this.boundTo.get(uid);
    if (node && before && before !== node) this.violations.push(`${this.clock()} pod ${p.metadata.name} moved from ${before} to ${node}`);
    if (node && !before) this.boundTo.set(uid, node);
    this.count();
  }

  private counting = false;

  /**
   * Counts once the informer's current batch is applied: a relist applies its adds before its
   * deletes in one synchronous turn, whose intermediate states never existed on the server.
   */
  private count(): void {
    if (this.counting) return;
    this.counting = true;
    queueMicrotask(() => {
      this.counting = false;
      this.countNow();
    });
  }

  private countNow(): void {
    const active = this.informer.store.list().filter(isActive).length;
    if (active > this.maxActive) this.maxActive = active;
    if (active > this.limit) this.violations.push(`${this.clock()} ${active} active pods, more than ${this.limit}`);
  }
}
