// RBAC's escalation prevention (pkg/registry/rbac/*/policybased): nobody grants what they do not
// hold. Creating or changing a Role or ClusterRole needs every rule it grants (in the role's
// namespace; cluster-wide for a ClusterRole), or the `escalate` verb on it; creating or changing
// a binding needs the referenced role's rules where the binding applies, or the `bind` verb on
// that role. system:masters may do both; a write that changes only what the garbage collector
// changes (owner references, finalizers) is not checked.
import type { KubeObject, PolicyRule, RoleRef } from '@skiff/api';
import { deepEqual, RBAC_GROUP } from '@skiff/api';
import { forbidden, notFound } from '../errors/status.ts';
import { SYSTEM_MASTERS } from '../auth/user.ts';
import type { AdmissionAttributes, ValidatingAdmission } from '../registry/admission.ts';
import type { Attributes } from './attributes.ts';
import type { Authorizer } from './authorizer.ts';
import type { RbacIndex } from './rbac-index.ts';
import { compactRules, compactString, goQuotedList, uncoveredRules } from './rules.ts';

const ROLE_KINDS: Record<string, string> = { [`${RBAC_GROUP}/roles`]: 'roles', [`${RBAC_GROUP}/clusterroles`]: 'clusterroles' };
const BINDING_KINDS = new Set([`${RBAC_GROUP}/rolebindings`, `${RBAC_GROUP}/clusterrolebindings`]);

/** IsOnlyMutatingGCFields: the same object but for ownerReferences and finalizers (and what the store sets). */
function onlyGCFieldsChanged(next: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { ownerReferences: _o, finalizers: _f, resourceVersion: _r, managedFields: _m, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return deepEqual(strip(next), strip(old));
}

export function escalationAdmission(o: { rbac: RbacIndex; authorizer: Authorizer }): ValidatingAdmission {
  const verbAllowed = (a: AdmissionAttributes, verb: string, resource: string, name: string) => {
    const attrs: Attributes = { user: a.user, verb, resourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: 'v1', resource, subresource: '', namespace: a.namespace, name };
    return o.authorizer.allows(attrs);
  };
  const refuse = (a: AdmissionAttributes, missing: PolicyRule[]) => {
    const held = compactRules(missing).map(compactString);
    const why = `user ${JSON.stringify(a.user.username)} (groups=${goQuotedList(a.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${[...new Set(held)].sort().join('\n')}`;
    return forbidden(a.ref, a.name, why);
  };
  return (a) => {
    if (a.operation === 'DELETE' || !a.object) return;
    const roleResource = ROLE_KINDS[a.resource];
    if (!roleResource && !BINDING_KINDS.has(a.resource)) return;
    if (a.user.groups.includes(SYSTEM_MASTERS)) return;
    if (a.old && onlyGCFieldsChanged(a.object, a.old)) return;
    if (roleResource) {
      if (verbAllowed(a, 'escalate', roleResource, a.name)) return;
      const missing = uncoveredRules(o.rbac.rulesFor(a.user, a.namespace), (a.object.rules ?? []) as PolicyRule[]);
      if (missing.length) throw refuse(a, missing);
      return;
    }
    const ref = a.object.roleRef as RoleRef;
    if (verbAllowed(a, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', ref.name)) return;
    const rules = o.rbac.roleRules(ref, a.namespace);
    if (!rules) throw notFound({ plural: ref.kind === 'Role' ? 'roles' : 'clusterroles', group: RBAC_GROUP }, ref.name);
    const missing = uncoveredRules(o.rbac.rulesFor(a.user, a.namespace), rules);
    if (missing.length) throw refuse(a, missing);
  };
}
