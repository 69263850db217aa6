// RBAC's rule arithmetic (plugin/pkg/auth/authorizer/rbac/rbac.go and
// pkg/registry/rbac/validation/policy_compact.go, policy_comparator.go), pure:
// - ruleAllows: does one PolicyRule allow a request (verbs, apiGroups, resources with
//   subresources and `*/sub`, resourceNames, nonResourceURLs with a trailing `*`);
// - uncoveredRules: which parts of some rules a set of owned rules does not cover (escalation
//   prevention: nobody grants what they do not hold);
// - compactString: a rule as Kubernetes prints it in the escalation message.
import type { PolicyRule } from '@skiff/api';
import { combinedResource, type Attributes } from './attributes.ts';

const has = (list: readonly string[] | undefined, v: string) => !!list && list.includes(v);

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return has(rule.verbs, '*') || has(rule.verbs, verb);
}

function groupMatches(rule: PolicyRule, group: string): boolean {
  return has(rule.apiGroups, '*') || has(rule.apiGroups, group);
}

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    // `*/scale` is every resource's scale subresource.
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

function nameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!a.resourceRequest) return urlMatches(rule, a.path);
  return groupMatches(rule, a.apiGroup) && resourceMatches(rule, combinedResource(a), a.subresource) && nameMatches(rule, a.name);
}

export function rulesAllow(rules: readonly PolicyRule[], a: Attributes): boolean {
  for (const r of rules) if (ruleAllows(r, a)) return true;
  return false;
}

/** One rule as atomic rules: one verb, one group, one resource, at most one name (or one URL). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        for (const n of names) out.push({ apiGroups: [group], resources: [resource], resourceNames: [n], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCovers(owned: readonly string[], requested: string): boolean {
  if (owned.includes('*') || owned.includes(requested)) return true;
  const slash = requested.indexOf('/');
  return slash > 0 && owned.includes(`*${requested.slice(slash)}`);
}

function urlCovers(owned: readonly string[], requested: string): boolean {
  return owned.some((u) => u === '*' || u === requested || (u.endsWith('*') && requested.startsWith(u.slice(0, -1))));
}

/** policy_comparator.go ruleCovers: whether `owner` holds all of the atomic rule `sub`. */
function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const ov = owner.verbs;
  if (!(ov.includes('*') || sub.verbs.every((v) => ov.includes(v)))) return false;
  const og = owner.apiGroups ?? [];
  if (!(og.includes('*') || (sub.apiGroups ?? []).every((g) => og.includes(g)))) return false;
  if (!(sub.resources ?? []).every((r) => resourceCovers(owner.resources ?? [], r))) return false;
  if (!(sub.nonResourceURLs ?? []).every((u) => urlCovers(owner.nonResourceURLs ?? [], u))) return false;
  const on = owner.resourceNames ?? [];
  const sn = sub.resourceNames ?? [];
  return on.length === 0 || (sn.length > 0 && sn.every((n) => on.includes(n)));
}

/** The atomic parts of `wanted` that no rule of `owned` covers (empty: no escalation). */
export function uncoveredRules(owned: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const rule of wanted) for (const sub of breakdownRule(rule)) if (!owned.some((o) => ruleCovers(o, sub))) out.push(sub);
  return out;
}

/** Atomic rules merged back by everything but the verb (CompactRules), sorted. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = JSON.stringify([r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []]);
    const have = byKey.get(key);
    if (have) for (const v of r.verbs) (have.verbs.includes(v) ? undefined : have.verbs.push(v));
    else byKey.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...byKey.values()].sort((a, b) => compactString(a).localeCompare(compactString(b)));
}

/** Go's %q of a []string: ["a" "b"]. */
export function goQuotedList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["create"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuotedList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuotedList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuotedList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuotedList(r.resourceNames)}`);
  parts.push(`Verbs:${goQuotedList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
