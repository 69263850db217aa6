// The default policy put in place at every start, as kube-apiserver's RBAC post-start hook
// (reconciliation.ReconcileRoles/ReconcileRoleBindings with "add missing, never remove"): a
// missing default role or binding is created; an existing one gets the rules, aggregation
// selectors, subjects, labels and annotations it lacks; nothing a user added is taken away; one
// annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` is left as it is. A rule an
// earlier skiff granted and no longer does (`retiredRules`) is taken out where it stands as written.
import type { ClusterRole, KubeObject, PolicyRule, RbacV1Subject } from '@skiff/api';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, deepEqual, RBAC_GROUP } from '@skiff/api';
import type { ResourceStore } from '../registry/store.ts';
import { storageKeyOf } from '../registry/strategy.ts';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABEL, DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES, type DefaultBinding, type DefaultClusterRole } from './bootstrap-policy.ts';
import { compactRules, uncoveredRules } from './rules.ts';
import { StorageError } from '../storage/types.ts';
import { ApiError } from '../errors/status.ts';

const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

function meta(name: string, labels: Record<string, string> = {}) {
  return { name, labels: { ...BOOTSTRAP_LABEL, ...labels }, annotations: { [AUTOUPDATE_ANNOTATION]: 'true' } };
}

/** The retired rules a default role lists, by role name, for planRoleReconcile. */
const RETIRED = new Map(DEFAULT_CLUSTER_ROLES.filter((d) => d.retiredRules?.length).map((d) => [d.name, d.retiredRules!]));

export function defaultClusterRole(d: DefaultClusterRole): KubeObject {
  const role: KubeObject = { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: meta(d.name, d.labels), rules: d.rules };
  if (d.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO(d.aggregateFrom)]: 'true' } }] };
  return role;
}

export function defaultClusterRoleBinding(d: DefaultBinding): KubeObject {
  const subjects: RbacV1Subject[] = [...(d.groups ?? []).map((name) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name })), ...(d.users ?? []).map((name) => ({ apiGroup: RBAC_GROUP, kind: 'User', name }))];
  return { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: meta(d.name), roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: d.role }, subjects };
}

/** Labels and annotations the object lacks, added (its own values win). */
function mergeMeta(current: KubeObject, want: KubeObject): KubeObject['metadata'] {
  return {
    ...current.metadata,
    labels: { ...want.metadata.labels, ...current.metadata.labels },
    annotations: { ...want.metadata.annotations, ...current.metadata.annotations },
  };
}

/** The reconciled role, or undefined when nothing is to change. */
export function planRoleReconcile(current: KubeObject, want: KubeObject): KubeObject | undefined {
  if (current.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return undefined;
  const next: KubeObject = { ...current, metadata: mergeMeta(current, want) };
  if (want.aggregationRule) {
    // Aggregated roles: their selectors are reconciled; their rules belong to the aggregation.
    const have = (current as unknown as ClusterRole).aggregationRule?.clusterRoleSelectors ?? [];
    const missing = ((want as unknown as ClusterRole).aggregationRule?.clusterRoleSelectors ?? []).filter((s) => !have.some((h) => deepEqual(h, s)));
    if (missing.length) next.aggregationRule = { clusterRoleSelectors: [...have, ...missing] };
  } else {
    const retired = RETIRED.get(want.metadata.name!) ?? [];
    const kept = ((current.rules ?? []) as PolicyRule[]).filter((r) => !retired.some((x) => deepEqual(x, r)));
    const missing = uncoveredRules(kept, want.rules as PolicyRule[]);
    if (missing.length || kept.length !== ((current.rules ?? []) as PolicyRule[]).length) next.rules = [...kept, ...compactRules(missing)];
  }
  return deepEqual(next, current) ? undefined : next;
}

export function planBindingReconcile(current: KubeObject, want: KubeObject): KubeObject | undefined {
  if (current.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return undefined;
  const have = (current.subjects ?? []) as RbacV1Subject[];
  const missing = (want.subjects as RbacV1Subject[]).filter((s) => !have.some((h) => h.kind === s.kind && h.name === s.name && (h.namespace ?? '') === (s.namespace ?? '')));
  const next: KubeObject = { ...current, metadata: mergeMeta(current, want), subjects: [...have, ...missing] };
  return deepEqual(next, current) ? undefined : next;
}

async function ensure(store: ResourceStore, want: KubeObject, plan: (current: KubeObject, want: KubeObject) => KubeObject | undefined): Promise<void> {
  const name = want.metadata.name!;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.storage.get(store.objectKey('', name));
    try {
      if (!current) {
        await store.create('', structuredClone(want));
        return;
      }
      if (!plan(current, want)) return;
      await store.update('', name, { subresource: '', compute: (c) => plan(c, want) ?? c });
      return;
    } catch (e) {
      // Another API server sharing the storage wrote it meanwhile: look again.
      const raced = (e instanceof ApiError && (e.code === 409 || e.code === 404)) || (e instanceof StorageError && (e.code === 'AlreadyExists' || e.code === 'Conflict'));
      if (!raced) throw e;
    }
  }
}

/** Puts the default ClusterRoles and ClusterRoleBindings in place (at every start). */
export async function reconcileDefaultPolicy(stores: Map<string, ResourceStore>): Promise<void> {
  const roles = stores.get(storageKeyOf(CLUSTER_ROLES))!;
  const bindings = stores.get(storageKeyOf(CLUSTER_ROLE_BINDINGS))!;
  for (const d of DEFAULT_CLUSTER_ROLES) await ensure(roles, defaultClusterRole(d), planRoleReconcile);
  for (const d of DEFAULT_CLUSTER_ROLE_BINDINGS) await ensure(bindings, defaultClusterRoleBinding(d), planBindingReconcile);
}
