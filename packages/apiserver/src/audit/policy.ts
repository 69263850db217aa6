// kube-apiserver's audit policy (audit.k8s.io/v1 Policy, --audit-policy-file): the first rule
// that matches a request gives its level; no rule matching means None. Matching follows
// k8s.io/apiserver/pkg/audit/policy/checker.go: users, userGroups and verbs narrow every rule; a
// rule with resources or namespaces matches resource requests only, one with nonResourceURLs
// (exact, or a prefix ending in `*`) non-resource requests only. Resources are `pods`,
// `pods/log`, `*`, `*/status`, `pods/*`, with optional resourceNames.
import { parse as parseYaml } from 'yaml';
import type { Attributes } from '../authz/attributes.ts';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What a request is, as the policy sees it: the attributes authorization reads (authz/attributes.ts). */
export type RequestAttributes = Attributes;

/**
 * Without --audit-policy-file: every request at Metadata (issue 12 §4), without the
 * RequestReceived stage, as the policies Kubernetes documents and ships (kube-up's, GKE's) leave it
 * out: its event repeats the ResponseComplete one but for the code and would double the log.
 * Long-running requests still get their ResponseStarted event when they start.
 */
export const DEFAULT_POLICY: Policy = { rules: [{ level: 'Metadata' }], omitStages: ['RequestReceived'] };

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new Error(`${where} must be a list of strings`);
  return v as string[];
}

function stages(v: unknown, where: string): Stage[] | undefined {
  const list = stringList(v, where);
  for (const s of list ?? []) if (!(STAGES as readonly string[]).includes(s)) throw new Error(`${where}: unknown stage ${JSON.stringify(s)} (one of ${STAGES.join(', ')})`);
  return list as Stage[] | undefined;
}

/** A policy file's text (YAML or JSON), checked as kube-apiserver checks it at start. */
export function parsePolicy(text: string, source = 'audit policy'): Policy {
  let doc: Record<string, unknown>;
  try {
    doc = parseYaml(text) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new Error(`${source}: not a Policy object`);
  if (doc.kind !== 'Policy' || (doc.apiVersion !== 'audit.k8s.io/v1' && doc.apiVersion !== 'audit.k8s.io/v1beta1')) throw new Error(`${source}: expected apiVersion audit.k8s.io/v1, kind Policy`);
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new Error(`${source}: rules must be a non-empty list`);
  const rules = doc.rules.map((raw: Record<string, unknown>, i: number): PolicyRule => {
    const where = `${source}: rules[${i}]`;
    if (!(LEVELS as readonly unknown[]).includes(raw?.level)) throw new Error(`${where}.level must be one of ${LEVELS.join(', ')}`);
    const rule: PolicyRule = { level: raw.level as Level };
    for (const f of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
      const v = stringList(raw[f], `${where}.${f}`);
      if (v) rule[f] = v;
    }
    if (raw.resources !== undefined) {
      if (!Array.isArray(raw.resources)) throw new Error(`${where}.resources must be a list`);
      rule.resources = raw.resources.map((g: Record<string, unknown>, j: number) => ({
        group: typeof g?.group === 'string' ? g.group : '',
        resources: stringList(g?.resources, `${where}.resources[${j}].resources`),
        resourceNames: stringList(g?.resourceNames, `${where}.resources[${j}].resourceNames`),
      }));
    }
    if ((rule.resources || rule.namespaces) && rule.nonResourceURLs) throw new Error(`${where}: rules can apply to API resources or non-resource URLs, but not both`);
    const omit = stages(raw.omitStages, `${where}.omitStages`);
    if (omit) rule.omitStages = omit;
    return rule;
  });
  const policy: Policy = { rules };
  const omit = stages(doc.omitStages, `${source}: omitStages`);
  if (omit) policy.omitStages = omit;
  if (doc.omitManagedFields === true) policy.omitManagedFields = true;
  return policy;
}

/** The level (and stages to omit) of a request: the first matching rule's, else None. */
export function levelFor(policy: Policy, a: RequestAttributes): { level: Level; omitStages: Stage[] } {
  for (const rule of policy.rules) {
    if (ruleMatches(rule, a)) return { level: rule.level, omitStages: [...(policy.omitStages ?? []), ...(rule.omitStages ?? [])] };
  }
  return { level: 'None', omitStages: policy.omitStages ?? [] };
}

export function ruleMatches(r: PolicyRule, a: RequestAttributes): boolean {
  if (r.users?.length && !r.users.includes(a.user.username)) return false;
  if (r.userGroups?.length && !r.userGroups.some((g) => a.user.groups.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return matchesResource(r, a);
  if (r.nonResourceURLs?.length) return !a.resourceRequest && r.nonResourceURLs.some((spec) => spec === '*' || spec === a.path || (spec.endsWith('*') && a.path.startsWith(spec.slice(0, -1))));
  return true;
}

function matchesResource(r: PolicyRule, a: RequestAttributes): boolean {
  if (!a.resourceRequest) return false;
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== a.apiGroup) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}
