// Node selector terms and taint tolerations as Kubernetes evaluates them
// (k8s.io/component-helpers/scheduling/corev1): one implementation for the scheduler's filters
// and the DaemonSet controller's "should this node run the daemon pod".
import { requirementMatches } from '../selectors/labels.ts';

export interface NodeSelectorRequirementLike {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTermLike {
  matchExpressions?: NodeSelectorRequirementLike[];
  matchFields?: NodeSelectorRequirementLike[];
}

export interface TaintLike {
  key: string;
  value?: string;
  effect: string;
}

export interface TolerationLike {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** One requirement against the node's value for its key (undefined when the node lacks it). */
export function nodeRequirementMatches(r: NodeSelectorRequirementLike, value: string | undefined): boolean {
  return requirementMatches({ key: r.key, operator: r.operator as never, values: r.values ?? [] }, value === undefined ? {} : { [r.key]: value });
}

/** The requirements of one term are ANDed; an empty term matches nothing; `metadata.name` is the only field. */
export function nodeSelectorTermMatches(term: NodeSelectorTermLike, labels: Record<string, string>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) {
    if (!nodeRequirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  }
  for (const r of fields) {
    if (!nodeRequirementMatches(r, r.key === 'metadata.name' ? nodeName : undefined)) return false;
  }
  return true;
}

/** Terms are ORed. */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTermLike[], labels: Record<string, string>, nodeName: string): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, labels, nodeName));
}

export function toleratesTaint(t: TolerationLike, taint: Pick<TaintLike, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  // An empty key with Exists tolerates every taint.
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}
