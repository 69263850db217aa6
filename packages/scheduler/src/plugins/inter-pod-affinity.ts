// InterPodAffinity, as kube-scheduler's plugin of that name:
//   filter — the pod's required affinity terms each find a matching pod in the node's topology
//            domain (or no pod anywhere matches and the pod matches its own terms: the first of a
//            group); its required anti-affinity terms find none there; and no pod already running
//            has a required anti-affinity term that selects this pod within its domain;
//   score  — per topology domain, the weights of the pod's preferred terms matched by pods there
//            (anti-affinity subtracts), plus the weights of running pods' terms that select this
//            pod (a running pod's required affinity counts with weight 1, the hard-affinity
//            weight), normalized to 0..100 between the lowest and highest node.
// The counts are made once per attempt over every node's pods (preFilter/preScore) and kept in
// the cycle state, so each node's check is a few map lookups.

import { normalizeMinMax, SUCCESS, unschedulable, type CycleState, type Plugin } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';
import { termMatches, type AffinityTerm, type NamespaceLabels } from '../model/pod-terms.ts';

export const EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const AFFINITY_RULES = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_RULES = "node(s) didn't match pod anti-affinity rules";
/** kube-scheduler's hardPodAffinityWeight default: a running pod's required affinity as a preference. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

const pair = (key: string, value: string) => `${key}\u0000${value}`;

/** Counts per topology pair (`key\0value`), and the keys that occur. */
class PairCounts {
  readonly counts = new Map<string, number>();
  readonly keys = new Set<string>();
  add(key: string, node: NodeInfo, n: number): void {
    const value = node.labels[key];
    if (value === undefined) return;
    const k = pair(key, value);
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
    this.keys.add(key);
  }
  /** The count in the node's domain for `key` (0 when the node lacks the key). */
  at(key: string, node: NodeInfo): number {
    const value = node.labels[key];
    return value === undefined ? 0 : (this.counts.get(pair(key, value)) ?? 0);
  }
}

interface FilterState {
  existingAnti: PairCounts;
  affinity: PairCounts;
  anti: PairCounts;
  /** Whether the pod matches all of its own required affinity terms (the first-of-a-group rule). */
  selfMatches: boolean;
}

const matchesPod = (term: AffinityTerm, p: PodInfo, ns: NamespaceLabels) => termMatches(term, p.namespace, p.labels, ns);

function computeFilterState(pod: PodInfo, nodes: readonly NodeInfo[], ns: NamespaceLabels): FilterState {
  const state: FilterState = { existingAnti: new PairCounts(), affinity: new PairCounts(), anti: new PairCounts(), selfMatches: false };
  const required = pod.terms?.requiredAffinity ?? [];
  const requiredAnti = pod.terms?.requiredAntiAffinity ?? [];
  for (const node of nodes) {
    // Running pods whose required anti-affinity selects this pod keep it out of their domain.
    for (const p of node.podsWithTerms.values()) {
      for (const t of p.terms!.requiredAntiAffinity) if (matchesPod(t, pod, ns)) state.existingAnti.add(t.topologyKey, node, 1);
    }
    if (required.length === 0 && requiredAnti.length === 0) continue;
    for (const p of node.pods.values()) {
      if (required.length > 0 && required.every((t) => matchesPod(t, p, ns))) for (const t of required) state.affinity.add(t.topologyKey, node, 1);
      for (const t of requiredAnti) if (matchesPod(t, p, ns)) state.anti.add(t.topologyKey, node, 1);
    }
  }
  state.selfMatches = required.length > 0 && required.every((t) => matchesPod(t, pod, ns));
  return state;
}

function filterState(ctx: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], ns: NamespaceLabels): FilterState {
  return ctx.once('InterPodAffinity/filter', () => computeFilterState(pod, nodes, ns));
}

/** Score per topology pair, summed over the pod's preferred terms and running pods' terms. */
function computeScoreState(pod: PodInfo, nodes: readonly NodeInfo[], ns: NamespaceLabels): PairCounts {
  const scores = new PairCounts();
  const prefers = pod.terms && (pod.terms.preferredAffinity.length > 0 || pod.terms.preferredAntiAffinity.length > 0);
  for (const node of nodes) {
    // With preferences of its own every running pod may count; otherwise only pods with terms.
    for (const p of (prefers ? node.pods : node.podsWithTerms).values()) {
      if (prefers) {
        for (const t of pod.terms!.preferredAffinity) if (matchesPod(t, p, ns)) scores.add(t.topologyKey, node, t.weight);
        for (const t of pod.terms!.preferredAntiAffinity) if (matchesPod(t, p, ns)) scores.add(t.topologyKey, node, -t.weight);
      }
      if (!p.terms) continue;
      for (const t of p.terms.requiredAffinity) if (matchesPod(t, pod, ns)) scores.add(t.topologyKey, node, HARD_POD_AFFINITY_WEIGHT);
      for (const t of p.terms.preferredAffinity) if (matchesPod(t, pod, ns)) scores.add(t.topologyKey, node, t.weight);
      for (const t of p.terms.preferredAntiAffinity) if (matchesPod(t, pod, ns)) scores.add(t.topologyKey, node, -t.weight);
    }
  }
  return scores;
}

/** `namespaceLabels` answers namespaceSelector terms (from the scheduler's namespace informer). */
export function interPodAffinity(namespaceLabels: NamespaceLabels = () => undefined): Plugin {
  return {
    name: 'InterPodAffinity',
    preFilter(ctx, pod, nodes) {
      const s = filterState(ctx, pod, nodes, namespaceLabels);
      const hasRequired = !!pod.terms && (pod.terms.requiredAffinity.length > 0 || pod.terms.requiredAntiAffinity.length > 0);
      return hasRequired || s.existingAnti.counts.size > 0 ? undefined : 'Skip';
    },
    filter(ctx, pod, node) {
      const s = ctx.get<FilterState>('InterPodAffinity/filter');
      // kube-scheduler's order, which decides the reason a node is refused with.
      const required = pod.terms?.requiredAffinity ?? [];
      let podsExist = true;
      for (const t of required) {
        // Every term's topology key must be on the node, whatever the counts.
        if (node.labels[t.topologyKey] === undefined) return unschedulable(AFFINITY_RULES);
        if (s.affinity.at(t.topologyKey, node) <= 0) podsExist = false;
      }
      // No pod anywhere matches: the first pod of a group that selects itself may go anywhere.
      if (!podsExist && !(s.affinity.counts.size === 0 && s.selfMatches)) return unschedulable(AFFINITY_RULES);
      for (const t of pod.terms?.requiredAntiAffinity ?? []) if (s.anti.at(t.topologyKey, node) > 0) return unschedulable(ANTI_AFFINITY_RULES);
      for (const key of s.existingAnti.keys) if (s.existingAnti.at(key, node) > 0) return unschedulable(EXISTING_ANTI_AFFINITY);
      return SUCCESS;
    },
    preScore(ctx, pod, nodes) {
      const scores = ctx.once('InterPodAffinity/score', () => computeScoreState(pod, nodes, namespaceLabels));
      return scores.counts.size > 0 ? undefined : 'Skip';
    },
    score(ctx, pod, node) {
      const scores = ctx.get<PairCounts>('InterPodAffinity/score');
      let sum = 0;
      for (const key of scores.keys) sum += scores.at(key, node);
      return sum;
    },
    normalize(_ctx, _pod, scores) {
      normalizeMinMax(scores);
    },
  };
}
