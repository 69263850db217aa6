// Node selector terms as kube-scheduler evaluates them: terms are ORed, the requirements inside
// one term are ANDed, an empty term matches nothing; each requirement is @skiff/api's label
// requirement (Gt/Lt compare the label as an integer).

import { requirementMatches } from '@skiff/api';
import type { NodeSelectorRequirement, NodeSelectorTerm } from './types.ts';

/** One requirement against the node's value for its key (undefined when the node lacks it). */
export function matchesRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  return requirementMatches({ key: r.key, operator: r.operator, values: r.values ?? [] }, value === undefined ? {} : { [r.key]: value });
}

export function matchesTerm(term: NodeSelectorTerm, labels: Record<string, string>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) {
    if (!matchesRequirement(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  }
  // The only field Kubernetes supports here is metadata.name.
  for (const r of fields) {
    if (!matchesRequirement(r, r.key === 'metadata.name' ? nodeName : undefined)) return false;
  }
  return true;
}

export function matchesAnyTerm(terms: NodeSelectorTerm[], labels: Record<string, string>, nodeName: string): boolean {
  return terms.some((t) => matchesTerm(t, labels, nodeName));
}
