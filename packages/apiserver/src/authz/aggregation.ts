// ClusterRole aggregation (the clusterrole-aggregation controller of kube-controller-manager,
// run here in the API server, ADR 0018): a ClusterRole with an aggregationRule gets, as its
// rules, the rules of every other ClusterRole its selectors pick, in name order, without
// duplicates. Recomputed whenever a ClusterRole changes (coalesced into one pass per burst).
import type { ClusterRole, KubeObject, PolicyRule } from '@skiff/api';
import { CLUSTER_ROLES, deepEqual, labelSelectorAsSelector, matches } from '@skiff/api';
import type { ResourceStore } from '../registry/store.ts';
import { storageKeyOf } from '../registry/strategy.ts';
import type { RbacIndex } from './rbac-index.ts';

/** The rules an aggregated role should have, from all ClusterRoles (pure). */
export function computeAggregatedRules(role: KubeObject, all: readonly KubeObject[]): PolicyRule[] {
  const selectors = ((role as unknown as ClusterRole).aggregationRule?.clusterRoleSelectors ?? []).map((s) => labelSelectorAsSelector(s));
  const rules: PolicyRule[] = [];
  const sources = all.filter((r) => r.metadata.name !== role.metadata.name && selectors.some((s) => matches(s, r.metadata.labels ?? {})));
  sources.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  for (const src of sources) for (const r of (src.rules ?? []) as PolicyRule[]) if (!rules.some((have) => deepEqual(have, r))) rules.push(r);
  return rules;
}

export class ClusterRoleAggregation {
  private scheduled = false;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly rbac: RbacIndex;
  private readonly store: ResourceStore;
  private readonly log: (msg: string, err?: unknown) => void;

  constructor(o: { rbac: RbacIndex; stores: Map<string, ResourceStore>; log: (msg: string, err?: unknown) => void }) {
    this.rbac = o.rbac;
    this.store = o.stores.get(storageKeyOf(CLUSTER_ROLES))!;
    this.log = o.log;
    o.rbac.onClusterRoleChange(() => this.schedule());
  }

  /** One pass now (at start), then one after every burst of ClusterRole changes. */
  async start(): Promise<void> {
    await this.pass();
  }

  close(): Promise<void> {
    this.closed = true;
    return this.running;
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.running.then(() => this.pass()).catch((err) => this.log('clusterrole aggregation failed', err));
    });
  }

  private async pass(): Promise<void> {
    if (this.closed) return;
    const all = [...this.rbac.clusterRoles.values()];
    for (const role of all) {
      if (!role.aggregationRule) continue;
      const rules = computeAggregatedRules(role, all);
      if (deepEqual(rules, role.rules ?? [])) continue;
      await this.store.update('', role.metadata.name!, {
        subresource: '',
        compute: (current) => {
          const next = { ...current, metadata: { ...current.metadata }, rules: computeAggregatedRules(current, [...this.rbac.clusterRoles.values()]) };
          delete next.metadata.resourceVersion;
          return next;
        },
      });
    }
  }
}
