// Pod affinity terms and topology spread constraints, compiled once per pod (when it enters the
// queue or the cache) so that matching them against thousands of pods parses nothing.
//
// As kube-scheduler reads them:
//   - a term's namespaces: `namespaces` plus those `namespaceSelector` selects; neither given means
//     the pod's own namespace, an empty `namespaceSelector: {}` means every namespace;
//   - a missing labelSelector selects no pod (an empty one selects all);
//   - matchLabelKeys / mismatchLabelKeys add `key in (pod's value)` / `key notin (pod's value)`
//     for the keys the pod carries (kube-apiserver 1.32 merges them into the selector at create
//     time; merging them here is the same and also covers pods stored before);
//   - a spread constraint counts the pods of the pod's own namespace its selector matches.

import { labelSelectorAsSelector, matches, newRequirement, NOTHING, type LabelSelector, type PodAffinityTerm, type Selector, type TopologySpreadConstraint, type WeightedPodAffinityTerm } from '@skiff/api';

/** Labels of a namespace by name (undefined when it is not known), for namespaceSelector. */
export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>> | undefined;

export interface AffinityTerm {
  topologyKey: string;
  selector: Selector;
  /** Namespaces named (or the pod's own). */
  namespaces: ReadonlySet<string>;
  /** A non-empty namespaceSelector; undefined when none was given. */
  namespaceSelector: Selector | undefined;
  /** `namespaceSelector: {}`: every namespace. */
  allNamespaces: boolean;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
}

export interface SpreadConstraint {
  topologyKey: string;
  maxSkew: number;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Selects the counted pods among those of the pod's namespace. */
  selector: Selector;
  minDomains: number;
  /** Honor (default): only nodes matching the pod's nodeSelector/required node affinity count. */
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  /** Ignore (default), or Honor: only nodes whose taints the pod tolerates count. */
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

interface TermOwner {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/** A selector that also requires (or, mismatching, refuses) the owner's values of `keys`. */
function withLabelKeys(ls: LabelSelector | undefined, owner: TermOwner, matchKeys: string[] = [], mismatchKeys: string[] = []): Selector {
  let base: Selector;
  try {
    base = labelSelectorAsSelector(ls);
  } catch {
    return NOTHING; // validation refuses bad operators; a stored one selects nothing
  }
  if (base.nothing) return base;
  const extra = [
    ...matchKeys.filter((k) => Object.hasOwn(owner.labels, k)).map((k) => newRequirement(k, 'In', [owner.labels[k]])),
    ...mismatchKeys.filter((k) => Object.hasOwn(owner.labels, k)).map((k) => newRequirement(k, 'NotIn', [owner.labels[k]])),
  ];
  return extra.length === 0 ? base : { requirements: [...base.requirements, ...extra] };
}

export function compileAffinityTerm(t: PodAffinityTerm, owner: TermOwner): AffinityTerm {
  const nsSel = t.namespaceSelector;
  const emptyNsSel = nsSel !== undefined && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0;
  const named = t.namespaces ?? [];
  let namespaceSelector: Selector | undefined;
  if (nsSel && !emptyNsSel) {
    try {
      namespaceSelector = labelSelectorAsSelector(nsSel);
    } catch {
      namespaceSelector = NOTHING;
    }
  }
  return {
    topologyKey: t.topologyKey,
    selector: withLabelKeys(t.labelSelector, owner, t.matchLabelKeys, t.mismatchLabelKeys),
    namespaces: new Set(named.length === 0 && nsSel === undefined ? [owner.namespace] : named),
    namespaceSelector,
    allNamespaces: emptyNsSel,
  };
}

/** Whether the term selects a pod of `namespace` with `labels`. */
export function termMatches(term: AffinityTerm, namespace: string, labels: Readonly<Record<string, string>>, namespaceLabels: NamespaceLabels): boolean {
  if (!term.allNamespaces && !term.namespaces.has(namespace)) {
    if (!term.namespaceSelector) return false;
    const nsLabels = namespaceLabels(namespace);
    if (!nsLabels || !matches(term.namespaceSelector, nsLabels)) return false;
  }
  return matches(term.selector, labels);
}

interface AffinitySpec {
  podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]; preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[] };
  podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[]; preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[] };
}

/** The pod's affinity terms, or undefined when it has none (most pods: callers skip them fast). */
export function compilePodTerms(affinity: AffinitySpec | undefined, owner: TermOwner): PodTerms | undefined {
  const a = affinity?.podAffinity;
  const anti = affinity?.podAntiAffinity;
  if (!a && !anti) return undefined;
  const weighted = (list: WeightedPodAffinityTerm[] = []) => list.filter((w) => w.weight > 0).map((w) => ({ ...compileAffinityTerm(w.podAffinityTerm, owner), weight: w.weight }));
  const terms: PodTerms = {
    requiredAffinity: (a?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, owner)),
    requiredAntiAffinity: (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, owner)),
    preferredAffinity: weighted(a?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weighted(anti?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  const any = terms.requiredAffinity.length + terms.requiredAntiAffinity.length + terms.preferredAffinity.length + terms.preferredAntiAffinity.length;
  return any === 0 ? undefined : terms;
}

export function compileSpreadConstraints(list: TopologySpreadConstraint[] | undefined, owner: TermOwner): SpreadConstraint[] {
  return (list ?? []).map((c) => ({
    topologyKey: c.topologyKey,
    maxSkew: c.maxSkew,
    whenUnsatisfiable: c.whenUnsatisfiable === 'ScheduleAnyway' ? 'ScheduleAnyway' : 'DoNotSchedule',
    selector: withLabelKeys(c.labelSelector, owner, c.matchLabelKeys),
    minDomains: c.minDomains ?? 1,
    nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
    nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
  }));
}
