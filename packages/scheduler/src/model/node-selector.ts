// Node selector terms as kube-scheduler evaluates them: terms are ORed, the requirements inside
// one term are ANDed, an empty term matches nothing; Gt/Lt compare the label as an integer.

import type { NodeSelectorRequirement, NodeSelectorTerm } from './types.ts';

function parseInteger(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s.trim())) return undefined;
  return Number(s);
}

export function matchesRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const have = parseInteger(value);
      const bound = values.length === 1 ? parseInteger(values[0]) : undefined;
      if (have === undefined || bound === undefined) return false;
      return r.operator === 'Gt' ? have > bound : have < bound;
    }
    default:
      return false;
  }
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
