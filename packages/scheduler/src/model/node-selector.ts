// Node selector terms as kube-scheduler evaluates them: terms are ORed, the requirements inside
// one term are ANDed, an empty term matches nothing; each requirement is @skiff/api's label
// requirement (Gt/Lt compare the label as an integer).

import { nodeRequirementMatches, nodeSelectorTermMatches, nodeSelectorTermsMatch } from '@skiff/api';
import type { NodeSelectorRequirement, NodeSelectorTerm } from './types.ts';

/** One requirement against the node's value for its key (undefined when the node lacks it). */
export function matchesRequirement(r: NodeSelectorRequirement, value: string | undefined): boolean {
  return nodeRequirementMatches(r, value);
}

export function matchesTerm(term: NodeSelectorTerm, labels: Record<string, string>, nodeName: string): boolean {
  return nodeSelectorTermMatches(term, labels, nodeName);
}

export function matchesAnyTerm(terms: NodeSelectorTerm[], labels: Record<string, string>, nodeName: string): boolean {
  return nodeSelectorTermsMatch(terms, labels, nodeName);
}
