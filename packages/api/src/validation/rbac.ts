// Validation of Role, ClusterRole, RoleBinding and ClusterRoleBinding (pkg/apis/rbac/validation),
// with the binding's immutable roleRef.

import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacV1Subject, Role, RoleBinding, RoleRef } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { invalid, invalidEach, notSupported, required } from './errors.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, type NameFn } from './meta.ts';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Role and binding names are path segments (`system:discovery` is a valid name). */
export const nameIsPathSegment: NameFn = (name, prefix) => {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
  return [];
};

function validateRule(rule: Incoming<PolicyRule>, field: string, namespaced: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!rule.verbs || rule.verbs.length === 0) errs.push(required(`${field}.verbs`, 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${field}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      errs.push(invalid(`${field}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups || rule.apiGroups.length === 0) errs.push(required(`${field}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!rule.resources || rule.resources.length === 0) errs.push(required(`${field}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: Incoming<PolicyRule>[] | undefined, namespaced: boolean): FieldCause[] {
  return (rules ?? []).flatMap((r, i) => validateRule(r, `rules[${i}]`, namespaced));
}

export function validateRole(role: Incoming<Role>): FieldCause[] {
  return [...validateObjectMeta(role.metadata, true, nameIsPathSegment), ...validateRules(role.rules, true)];
}

export function validateClusterRole(role: Incoming<ClusterRole>): FieldCause[] {
  const errs = [...validateObjectMeta(role.metadata, false, nameIsPathSegment), ...validateRules(role.rules, false)];
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (role.aggregationRule) {
    if (!selectors || selectors.length === 0) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    (selectors ?? []).forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

function validateSubject(s: Incoming<RbacV1Subject>, field: string, namespaced: boolean): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!s.name) errs.push(required(`${field}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...invalidEach(`${field}.name`, s.name, nameIsPathSegment(s.name, false)));
      if (s.apiGroup) errs.push(notSupported(`${field}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${field}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${field}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${field}.kind`, s.kind ?? '', SUBJECT_KINDS));
  }
  return errs;
}

function validateRoleRef(ref: Incoming<RoleRef> | undefined, kinds: string[]): FieldCause[] {
  const errs: FieldCause[] = [];
  if (ref?.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref?.apiGroup ?? '', [RBAC_GROUP]));
  if (!ref?.kind || !kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref?.kind ?? '', kinds));
  if (!ref?.name) errs.push(required('roleRef.name'));
  else errs.push(...invalidEach('roleRef.name', ref.name, nameIsPathSegment(ref.name, false)));
  return errs;
}

function validateBinding(b: Incoming<RoleBinding | ClusterRoleBinding>, namespaced: boolean): FieldCause[] {
  return [
    ...validateObjectMeta(b.metadata, namespaced, nameIsPathSegment),
    ...validateRoleRef(b.roleRef, namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole']),
    ...(b.subjects ?? []).flatMap((s, i) => validateSubject(s, `subjects[${i}]`, namespaced)),
  ];
}

export function validateRoleBinding(b: Incoming<RoleBinding>): FieldCause[] {
  return validateBinding(b, true);
}

export function validateClusterRoleBinding(b: Incoming<ClusterRoleBinding>): FieldCause[] {
  return validateBinding(b, false);
}

function validateBindingUpdate(b: Incoming<RoleBinding | ClusterRoleBinding>, old: Incoming<RoleBinding | ClusterRoleBinding>, namespaced: boolean): FieldCause[] {
  const errs = [...validateObjectMetaUpdate(b.metadata, old.metadata), ...validateBinding(b, namespaced).filter((c) => !c.field.startsWith('metadata.'))];
  const same = b.roleRef?.apiGroup === old.roleRef?.apiGroup && b.roleRef?.kind === old.roleRef?.kind && b.roleRef?.name === old.roleRef?.name;
  if (!same) errs.push(invalid('roleRef', b.roleRef, 'cannot change roleRef'));
  return errs;
}

export function validateRoleBindingUpdate(b: Incoming<RoleBinding>, old: Incoming<RoleBinding>): FieldCause[] {
  return validateBindingUpdate(b, old, true);
}

export function validateClusterRoleBindingUpdate(b: Incoming<ClusterRoleBinding>, old: Incoming<ClusterRoleBinding>): FieldCause[] {
  return validateBindingUpdate(b, old, false);
}
