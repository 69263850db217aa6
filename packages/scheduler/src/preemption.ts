// Preemption (kube-scheduler's DefaultPreemption PostFilter), as a pure function of the pod, the
// nodes and the failed attempt: when no node fits, find the node where evicting pods of lower
// priority lets the pod fit, evicting as few and as unimportant pods as possible.
//
//   1. Candidates: nodes whose rejection evicting pods could resolve (resources, host ports,
//      anti-affinity, spread skew; not taints, selectors, cordons or missing labels).
//   2. On each: take away every pod of lower priority; if the pod then fits, give them back one
//      by one, highest priority first, keeping back each one whose return would stop the pod
//      fitting. Those kept back are the victims. Pods whose eviction would break a
//      PodDisruptionBudget are given back first (./preemption-budgets.ts), so they are victims
//      only when nothing else makes room; the plan counts the budget violations it causes.
//   3. Choose among the candidates as kube-scheduler does: the fewest budget violations, then the
//      lowest highest-victim priority, then the smallest sum of victim priorities, then the fewest
//      victims, then the victims that started last, then the first candidate.
// As in Kubernetes, budgets steer the choice but do not forbid it: the victims are deleted, not
// evicted, when breaking a budget is the only way to place the pod.

import { CycleState, type Plugin } from './framework.ts';
import { NodeInfo } from './model/node-info.ts';
import type { PodInfo } from './model/pod-info.ts';
import type { Rejection } from './explain.ts';
import { AFFINITY_RULES } from './plugins/inter-pod-affinity.ts';
import { SPREAD_SKEW } from './plugins/pod-topology-spread.ts';
import { splitByBudgetViolation } from './preemption-budgets.ts';
import type { KubeObject } from '@skiff/api';

export interface PreemptionPlan {
  node: string;
  /** Pods to evict, most important first. */
  victims: PodInfo[];
  /** How many victims' eviction breaks a PodDisruptionBudget. */
  budgetViolations: number;
}

export interface PreemptionInput {
  pod: PodInfo;
  nodes: readonly NodeInfo[];
  filters: readonly Plugin[];
  /** The failed attempt's rejections, one per node. */
  rejected: readonly Rejection[];
  /** At most this many candidate nodes are evaluated (kube: max(10% of nodes, 100)). */
  maxCandidates?: number;
  /** The node this scheduler last nominated the pod for, if any. */
  nominatedNode?: string;
  /** Every PodDisruptionBudget (with its status), for the victims' choice. */
  budgets?: readonly KubeObject[];
}

/** Whether evicting pods could lift this rejection. */
export function resolvableByPreemption(r: Rejection): boolean {
  switch (r.plugin) {
    case 'NodeResourcesFit':
    case 'NodePorts':
      return true;
    case 'InterPodAffinity':
      return !r.reasons.includes(AFFINITY_RULES);
    case 'PodTopologySpread':
      return r.reasons.includes(SPREAD_SKEW);
    default:
      return false;
  }
}

/**
 * A pod that may preempt: its policy allows it, and no victims it chose before are still leaving
 * its nominated node (`nominated`: what this scheduler nominated it for, before the status says so).
 */
export function eligibleToPreempt(pod: PodInfo, nodes: readonly NodeInfo[], nominatedHere?: string): boolean {
  if (pod.pod.spec.preemptionPolicy === 'Never') return false;
  const nominated = nominatedHere ?? (pod.pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName;
  if (!nominated) return true;
  const node = nodes.find((n) => n.name === nominated);
  if (!node) return true;
  for (const p of node.pods.values()) if (p.terminating && p.priority < pod.priority) return false;
  return true;
}

function fitsOn(pod: PodInfo, node: NodeInfo, nodes: NodeInfo[], index: number, filters: readonly Plugin[]): boolean {
  const original = nodes[index];
  nodes[index] = node;
  try {
    const ctx = new CycleState();
    for (const f of filters) {
      if (f.preFilter?.(ctx, pod, nodes) === 'Skip') continue;
      if (f.filter!(ctx, pod, node).code !== 'Success') return false;
    }
    return true;
  } finally {
    nodes[index] = original;
  }
}

function without(node: NodeInfo, gone: ReadonlySet<string>): NodeInfo {
  const copy = new NodeInfo(node.name, node.node);
  for (const p of node.pods.values()) if (!gone.has(p.key)) copy.addPod(p);
  return copy;
}

const startOf = (p: PodInfo) => Date.parse((p.pod.status as { startTime?: string } | undefined)?.startTime ?? p.pod.metadata.creationTimestamp ?? '') || 0;

function victimsOn(pod: PodInfo, nodes: NodeInfo[], index: number, filters: readonly Plugin[], budgets: readonly KubeObject[]): Omit<PreemptionPlan, 'node'> | undefined {
  const node = nodes[index];
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority && !p.terminating);
  if (lower.length === 0) return undefined;
  const gone = new Set(lower.map((p) => p.key));
  if (!fitsOn(pod, without(node, gone), nodes, index, filters)) return undefined;
  // Give back the most important first, those a budget protects before the others; whoever cannot
  // come back is a victim.
  lower.sort((a, b) => b.priority - a.priority || startOf(a) - startOf(b));
  const { violating, nonViolating } = splitByBudgetViolation(lower, budgets);
  const victims: PodInfo[] = [];
  let budgetViolations = 0;
  for (const p of [...violating, ...nonViolating]) {
    gone.delete(p.key);
    if (!fitsOn(pod, without(node, gone), nodes, index, filters)) {
      gone.add(p.key);
      victims.push(p);
      if (violating.includes(p)) budgetViolations++;
    }
  }
  victims.sort((a, b) => b.priority - a.priority || startOf(a) - startOf(b));
  return { victims, budgetViolations };
}

export function computePreemption(input: PreemptionInput): PreemptionPlan | undefined {
  const { pod, filters } = input;
  if (!eligibleToPreempt(pod, input.nodes, input.nominatedNode)) return undefined;
  const nodes = [...input.nodes];
  const indexOf = new Map(nodes.map((n, i) => [n.name, i]));
  const limit = input.maxCandidates ?? Math.max(100, Math.ceil(nodes.length / 10));
  const plans: PreemptionPlan[] = [];
  for (const r of input.rejected) {
    if (plans.length >= limit) break;
    if (!resolvableByPreemption(r)) continue;
    const i = indexOf.get(r.node);
    // The node's priority summary answers "any pod to evict?" without walking its pods.
    if (i === undefined || !(nodes[i].lowestPriority() < pod.priority)) continue;
    const found = victimsOn(pod, nodes, i, filters, input.budgets ?? []);
    if (found) plans.push({ node: r.node, ...found });
  }
  return pickPlan(plans);
}

/** kube-scheduler's pickOneNodeForPreemption. */
export function pickPlan(plans: PreemptionPlan[]): PreemptionPlan | undefined {
  const highest = (p: PreemptionPlan) => (p.victims.length ? Math.max(...p.victims.map((v) => v.priority)) : -Infinity);
  // Sum with an offset so that negative priorities still count as "more victims, more cost".
  const sum = (p: PreemptionPlan) => p.victims.reduce((s, v) => s + v.priority + 2 ** 31 + 1, 0);
  const earliest = (p: PreemptionPlan) => Math.min(...p.victims.filter((v) => v.priority === highest(p)).map(startOf));
  let best: PreemptionPlan | undefined;
  for (const p of plans) {
    if (!best) {
      best = p;
      continue;
    }
    const order = p.budgetViolations - best.budgetViolations || highest(p) - highest(best) || sum(p) - sum(best) || p.victims.length - best.victims.length || earliest(best) - earliest(p);
    if (order < 0) best = p;
  }
  return best;
}
