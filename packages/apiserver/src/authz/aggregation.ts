// ClusterRole aggregation (the clusterrole-aggregation controller of kube-controller-manager,
// run here in the API server, ADR 0018): a ClusterRole with an aggregationRule gets, as its
// rules, the rules of every other ClusterRole its selectors pick, in name order, without
// duplicates. Recomputed whenever a ClusterRole changes (coalesced into one pass per burst).
// Aggregated roles pick other aggregated ones (admin picks edit, edit picks view), so a pass plans
// every role to a fixed point before it writes: one pass at start leaves nothing for later passes,
// which would otherwise write admin again once edit's new rules came back through the watch.
import type { ClusterRole, KubeObject, PolicyRule } from '@skiff/api';
import { CLUSTER_ROLES, deepEqual, labelSelectorAsSelector, matches } from '@skiff/api';
import { unpinned, type ResourceStore } from '../registry/store.ts';
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

/**
 * The rules every aggregated role should have, followed through aggregated roles that pick each
 * other, until nothing changes (pure). Only roles whose rules change are in the result. Bounded
 * by the number of roles: selectors that form a cycle (which Kubernetes does not forbid either)
 * stop there rather than loop.
 */
export function planAggregation(all: readonly KubeObject[]): Map<string, PolicyRule[]> {
  let roles = [...all];
  const planned = new Map<string, PolicyRule[]>();
  for (let round = 0; round <= all.length; round++) {
    let changed = false;
    roles = roles.map((role) => {
      if (!(role as unknown as ClusterRole).aggregationRule) return role;
      const rules = computeAggregatedRules(role, roles);
      if (deepEqual(rules, role.rules ?? [])) return role;
      changed = true;
      planned.set(role.metadata.name!, rules);
      return { ...role, rules };
    });
    if (!changed) break;
  }
  for (const role of all) if (planned.has(role.metadata.name!) && deepEqual(planned.get(role.metadata.name!), role.rules ?? [])) planned.delete(role.metadata.name!);
  return planned;
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
    for (const [name, rules] of planAggregation([...this.rbac.clusterRoles.values()])) {
      await this.store.update('', name, {
        subresource: '',
        compute: (current) => unpinned({ ...current, rules }),
      });
    }
  }
}
