// Roles, ClusterRoles and their bindings in memory, with the bindings indexed by subject, fed by
// storage watches. A request's rules are found from its user's name and groups: for each, the
// ClusterRoleBindings naming it, then the RoleBindings naming it in the request's namespace; so
// the cost of a check grows with the bindings that apply to the caller, not with all bindings
// (kube-apiserver's rule resolver lists every binding per request from its informer caches).
import type { KubeObject, PolicyRule, RbacV1Subject, RoleRef } from '@skiff/api';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, ROLE_BINDINGS, ROLES } from '@skiff/api';
import type { Storage } from '../storage/types.ts';
import type { UserInfo } from '../auth/user.ts';
import { storageKeyOf } from '../registry/strategy.ts';
import { WatchCache, type CacheHandlers } from '../storage/watch-cache.ts';

/** `u:NAME` for users (and ServiceAccounts, by their user name), `g:NAME` for groups. */
function subjectKey(s: RbacV1Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount':
      return `u:system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default:
      return undefined;
  }
}

export function userKeys(user: UserInfo): string[] {
  const keys = [`u:${user.username}`];
  for (const g of user.groups) keys.push(`g:${g}`);
  return keys;
}

type Index = Map<string, Map<string, KubeObject>>;

function indexBinding(index: Index, b: KubeObject, add: boolean): void {
  const ns = b.metadata.namespace ?? '';
  const id = `${ns}/${b.metadata.name}`;
  for (const s of (b.subjects ?? []) as RbacV1Subject[]) {
    const key = subjectKey(s, ns);
    if (!key) continue;
    let m = index.get(key);
    if (add) {
      if (!m) index.set(key, (m = new Map()));
      m.set(id, b);
    } else if (m) {
      m.delete(id);
      if (m.size === 0) index.delete(key);
    }
  }
}

function bindingHandlers(index: (b: KubeObject) => Index, clear: () => void): CacheHandlers {
  return {
    upsert: (b, prev) => {
      if (prev) indexBinding(index(prev), prev, false);
      indexBinding(index(b), b, true);
    },
    delete: (b) => indexBinding(index(b), b, false),
    reset: clear,
  };
}

/** Where a rule came from (SelfSubjectRulesReview and errors name it). */
export interface RuleSource {
  binding: KubeObject;
  roleRef: RoleRef;
}

export class RbacIndex {
  readonly roles: WatchCache;
  readonly clusterRoles: WatchCache;
  private readonly roleBindings: WatchCache;
  private readonly clusterRoleBindings: WatchCache;
  private readonly crbBySubject: Index = new Map();
  /** Per namespace, RoleBindings by subject. */
  private readonly rbBySubject = new Map<string, Index>();
  private readonly clusterRoleListeners: ((role: KubeObject) => void)[] = [];

  constructor(storage: Storage, log: (msg: string, err?: unknown) => void) {
    this.roles = new WatchCache({ storage, resource: storageKeyOf(ROLES), log });
    this.clusterRoles = new WatchCache({
      storage,
      resource: storageKeyOf(CLUSTER_ROLES),
      handlers: { upsert: (r) => this.clusterRoleChanged(r), delete: (r) => this.clusterRoleChanged(r), reset() {} },
      log,
    });
    this.clusterRoleBindings = new WatchCache({ storage, resource: storageKeyOf(CLUSTER_ROLE_BINDINGS), handlers: bindingHandlers(() => this.crbBySubject, () => this.crbBySubject.clear()), log });
    const rbIndex = (b: KubeObject): Index => {
      const ns = b.metadata.namespace ?? '';
      let m = this.rbBySubject.get(ns);
      if (!m) this.rbBySubject.set(ns, (m = new Map()));
      return m;
    };
    this.roleBindings = new WatchCache({ storage, resource: storageKeyOf(ROLE_BINDINGS), handlers: bindingHandlers(rbIndex, () => this.rbBySubject.clear()), log });
  }

  async start(): Promise<void> {
    await Promise.all([this.roles.start(), this.clusterRoles.start(), this.roleBindings.start(), this.clusterRoleBindings.start()]);
  }

  close(): void {
    for (const c of [this.roles, this.clusterRoles, this.roleBindings, this.clusterRoleBindings]) c.close();
  }

  /** Called on every change of a ClusterRole (aggregation follows them). */
  onClusterRoleChange(fn: (role: KubeObject) => void): void {
    this.clusterRoleListeners.push(fn);
  }

  private clusterRoleChanged(role: KubeObject): void {
    for (const fn of this.clusterRoleListeners) fn(role);
  }

  /** The rules a role reference grants in `namespace` ('' for a ClusterRoleBinding); undefined when the role does not exist. */
  roleRules(ref: RoleRef, namespace: string): PolicyRule[] | undefined {
    const role = ref.kind === 'ClusterRole' ? this.clusterRoles.get('', ref.name) : ref.kind === 'Role' && namespace ? this.roles.get(namespace, ref.name) : undefined;
    return role ? ((role.rules ?? []) as PolicyRule[]) : undefined;
  }

  /**
   * Calls `visit` with each rule that applies to `user` in `namespace` ('' : cluster-wide rules
   * only), ClusterRoleBindings first; stops when it returns true. Returns whether it stopped.
   */
  visitRules(user: UserInfo, namespace: string, visit: (rule: PolicyRule, source: RuleSource) => boolean): boolean {
    const keys = userKeys(user);
    const seen = new Set<KubeObject>();
    const walk = (index: Index | undefined, ns: string): boolean => {
      if (!index) return false;
      for (const key of keys) {
        const bindings = index.get(key);
        if (!bindings) continue;
        for (const b of bindings.values()) {
          // A user named in a binding twice (as user and through a group) is visited once.
          if (seen.has(b)) continue;
          seen.add(b);
          const ref = b.roleRef as RoleRef;
          const rules = this.roleRules(ref, ns);
          if (!rules) continue;
          for (const r of rules) if (visit(r, { binding: b, roleRef: ref })) return true;
        }
      }
      return false;
    };
    if (walk(this.crbBySubject, '')) return true;
    return namespace !== '' && walk(this.rbBySubject.get(namespace), namespace);
  }

  /** Every rule that applies to `user` in `namespace` (SelfSubjectRulesReview, escalation checks). */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const out: PolicyRule[] = [];
    this.visitRules(user, namespace, (r) => (out.push(r), false));
    return out;
  }
}
