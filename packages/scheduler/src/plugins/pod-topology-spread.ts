// PodTopologySpread, as kube-scheduler's plugin of that name.
//
//   filter (whenUnsatisfiable: DoNotSchedule) — the node must carry the constraint's topology key,
//     and placing the pod there must keep the skew within maxSkew: the matching pods in the node's
//     domain, plus one if the pod matches its own selector, minus the fewest in any domain (taken as
//     0 while there are fewer domains than minDomains);
//   score (ScheduleAnyway) — fewer matching pods in the node's domains score higher; each
//     constraint's count is weighted by log(domains + 2), and nodes without the keys score 0.
//
// Which nodes count as domains follows nodeAffinityPolicy (Honor: only nodes matching the pod's
// nodeSelector / required node affinity) and nodeTaintsPolicy (Honor: only nodes whose
// NoSchedule/NoExecute taints the pod tolerates), and a node must carry every constraint's key.
// Terminating pods are not counted.
//
// Cluster defaults: a pod with no constraints of its own, owned by a controller, is spread as
// kube-scheduler's system defaults do — hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway —
// counting the pods of the same controlling owner (kube derives that selector from the Services
// and controllers selecting the pod; packages/scheduler/README.md says why).

import { MAX_NODE_SCORE, SUCCESS, unschedulable, type Plugin } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';
import type { SpreadConstraint } from '../model/pod-terms.ts';
import { matches } from '@skiff/api';
import { matchesNodeSelectorAndAffinity } from './node-affinity.ts';
import { toleratesTaint } from './taint-toleration.ts';

export const SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
export const SPREAD_SKEW = "node(s) didn't match pod topology spread constraints";
export const HOSTNAME_KEY = 'kubernetes.io/hostname';
export const ZONE_KEY = 'topology.kubernetes.io/zone';

/** A constraint with the way it picks the pods it counts. */
interface Counted extends SpreadConstraint {
  counts: (p: PodInfo) => boolean;
  /** How many pods on the node it counts. */
  countOn: (node: NodeInfo) => number;
}

/** Counts the live pods on the node that `counts` picks. */
const countingOn = (counts: (p: PodInfo) => boolean) => (node: NodeInfo) => {
  let n = 0;
  for (const p of node.pods.values()) if (!p.terminating && counts(p)) n++;
  return n;
};

function countedConstraints(pod: PodInfo, when: SpreadConstraint['whenUnsatisfiable']): Counted[] {
  if (pod.spread.length > 0) {
    return pod.spread
      .filter((c) => c.whenUnsatisfiable === when)
      .map((c) => {
        const counts = (p: PodInfo) => p.namespace === pod.namespace && matches(c.selector, p.labels);
        return { ...c, counts, countOn: countingOn(counts) };
      });
  }
  // The system defaults are all ScheduleAnyway; a bare pod has no group to spread.
  if (when !== 'ScheduleAnyway' || pod.ownerKey === undefined) return [];
  const owner = pod.ownerKey;
  // Owner keys are uids: the node's per-owner count is the count (terminating pods included).
  const sameOwner = (p: PodInfo) => p.ownerKey === owner;
  const base = { whenUnsatisfiable: 'ScheduleAnyway', minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore', counts: sameOwner, countOn: (n: NodeInfo) => n.ownerCounts.get(owner) ?? 0 } as const;
  return [
    { ...base, topologyKey: HOSTNAME_KEY, maxSkew: 3, selector: { requirements: [] } },
    { ...base, topologyKey: ZONE_KEY, maxSkew: 5, selector: { requirements: [] } },
  ];
}

function tolerated(pod: PodInfo, node: NodeInfo): boolean {
  for (const taint of node.taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!pod.tolerations.some((t) => toleratesTaint(t, taint))) return false;
  }
  return true;
}

/** Whether the node is a domain for `c`: its policies admit it. */
function included(c: SpreadConstraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !matchesNodeSelectorAndAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && !tolerated(pod, node)) return false;
  return true;
}

const hasAllKeys = (cs: readonly SpreadConstraint[], node: NodeInfo) => cs.every((c) => node.labels[c.topologyKey] !== undefined);

interface FilterState {
  constraints: Counted[];
  /** Per constraint: matching pods per domain value. */
  perDomain: Map<string, number>[];
  /** Per constraint: the fewest matching pods in any domain. */
  min: number[];
}

function computeFilterState(pod: PodInfo, nodes: readonly NodeInfo[]): FilterState {
  const constraints = countedConstraints(pod, 'DoNotSchedule');
  const perDomain = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!hasAllKeys(constraints, node)) continue;
    constraints.forEach((c, i) => {
      if (!included(c, pod, node)) return;
      const value = node.labels[c.topologyKey];
      perDomain[i].set(value, (perDomain[i].get(value) ?? 0) + c.countOn(node));
    });
  }
  const min = perDomain.map((domains, i) => (domains.size < constraints[i].minDomains ? 0 : Math.min(...domains.values())));
  return { constraints, perDomain, min };
}

interface ScoreState {
  constraints: Counted[];
  /** Feasible nodes without every key of the pod's own constraints: scored 0. */
  ignored: Set<NodeInfo>;
  /** Per constraint: log(domains among the scored feasible nodes + 2). */
  weights: number[];
  /** Per constraint (not hostname, counted per node): matching pods per domain value. */
  perDomain: Map<string, number>[];
}

function computeScoreState(pod: PodInfo, nodes: readonly NodeInfo[], feasible: readonly NodeInfo[]): ScoreState {
  const constraints = countedConstraints(pod, 'ScheduleAnyway');
  // The defaults do not need every key, so nodes without a zone still spread by hostname.
  const requireAll = pod.spread.length > 0;
  const ignored = new Set<NodeInfo>();
  const perDomain = constraints.map(() => new Map<string, number>());
  for (const n of feasible) {
    if (requireAll && !hasAllKeys(constraints, n)) {
      ignored.add(n);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey !== HOSTNAME_KEY) perDomain[i].set(n.labels[c.topologyKey] ?? '', 0);
    });
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME_KEY ? feasible.length - ignored.size : perDomain[i].size) + 2));
  // Counts over every node (not only the feasible), for the domains the feasible nodes are in.
  for (const node of nodes) {
    if (requireAll && !hasAllKeys(constraints, node)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME_KEY || !included(c, pod, node)) return;
      const value = node.labels[c.topologyKey] ?? '';
      const seen = perDomain[i].get(value);
      if (seen !== undefined) perDomain[i].set(value, seen + c.countOn(node));
    });
  }
  return { constraints, ignored, weights, perDomain };
}

/** Marks an ignored node (real scores are never negative); normalize gives it 0. */
const IGNORED = -1;

export const podTopologySpread: Plugin = {
  name: 'PodTopologySpread',
  preFilter(ctx, pod, nodes) {
    return ctx.once('PodTopologySpread/filter', () => computeFilterState(pod, nodes)).constraints.length > 0 ? undefined : 'Skip';
  },
  filter(ctx, pod, node) {
    const s = ctx.get<FilterState>('PodTopologySpread/filter');
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const value = node.labels[c.topologyKey];
      if (value === undefined) return unschedulable(SPREAD_MISSING_LABEL);
      const self = c.counts(pod) ? 1 : 0;
      const skew = (s.perDomain[i].get(value) ?? 0) + self - s.min[i];
      if (skew > c.maxSkew) return unschedulable(SPREAD_SKEW);
    }
    return SUCCESS;
  },
  preScore(ctx, pod, nodes, feasible) {
    return ctx.once('PodTopologySpread/score', () => computeScoreState(pod, nodes, feasible)).constraints.length > 0 ? undefined : 'Skip';
  },
  score(ctx, _pod, node) {
    const s = ctx.get<ScoreState>('PodTopologySpread/score');
    if (s.ignored.has(node)) return IGNORED;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey];
      if (value === undefined) return;
      const count = c.topologyKey === HOSTNAME_KEY ? c.countOn(node) : (s.perDomain[i].get(value) ?? 0);
      // maxSkew - 1 waters the differences down: a larger maxSkew tolerates more skew.
      score += count * s.weights[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(_ctx, _pod, scores) {
    // Fewer pods is better: 100 * (max + min - s) / max over the nodes with the keys.
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s === IGNORED) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] === IGNORED) scores[i] = 0;
      else scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  },
};


