// One scheduling decision, end to end, as a pure function of the pod, a snapshot of the nodes,
// the profile and a random source. The effectful loop (scheduler.ts) only feeds it and acts on
// the result.

import type { Explanation, Rejection } from './explain.ts';
import { computeFitErrorMessage } from './fit-error.ts';
import { CycleState, MAX_NODE_SCORE } from './framework.ts';
import { NodeInfo } from './model/node-info.ts';
import type { PodInfo } from './model/pod-info.ts';
import type { NominatedPods } from './nominator.ts';
import type { Profile } from './profile.ts';
import { numFeasibleNodesToFind } from './sampling.ts';

export interface PlacementInput {
  pod: PodInfo;
  /** Every schedulable-candidate node, in a stable order. */
  nodes: readonly NodeInfo[];
  profile: Profile;
  /** 0 for adaptive; see sampling.ts. */
  percentageOfNodesToScore: number;
  /** Where the previous pod's search stopped. */
  startIndex: number;
  /** Uniform in [0, 1); Math.random in production, seeded in tests. */
  random: () => number;
  now?: Date;
  /** Pods nominated to nodes by preemption and not placed yet: their room is held (nominator.ts). */
  nominated?: NominatedPods;
}

export interface Placement {
  /** The chosen node, or undefined if no node fits. */
  node: string | undefined;
  /** Where the next pod's search starts. */
  nextStartIndex: number;
  /** The FailedScheduling message when no node fits. */
  message: string | undefined;
  explanation: Explanation;
}

/**
 * The node as `pod` must see it when filtering: with the pods nominated to it (by a preemption,
 * not placed yet) whose priority is at least the pod's, as kube-scheduler's addGENominatedPods.
 * A copy only for the few nodes that have such pods.
 */
export function withNominated(node: NodeInfo, pod: PodInfo, nominated: NominatedPods | undefined): NodeInfo {
  const here = nominated?.get(node.name);
  if (!here) return node;
  let copy: NodeInfo | undefined;
  for (const p of here.values()) {
    if (p.key === pod.key || p.priority < pod.priority || node.pods.has(p.key)) continue;
    if (!copy) {
      copy = new NodeInfo(node.name, node.node);
      for (const q of node.pods.values()) copy.addPod(q);
    }
    copy.addPod(p);
  }
  return copy ?? node;
}

export function computePlacement(input: PlacementInput): Placement {
  const { pod, nodes, profile } = input;
  const ctx = new CycleState();
  const numNodes = nodes.length;
  const start = numNodes === 0 ? 0 : input.startIndex % numNodes;

  // 1. Sampling: on large clusters stop filtering once enough feasible nodes are found.
  const wanted = numFeasibleNodesToFind(numNodes, input.percentageOfNodesToScore);

  // 2. Filter, starting where the last pod stopped so that successive pods look at different
  //    nodes. The first filter that rejects a node gives its reasons. Filters with nothing to
  //    check for this pod (no host ports asked, no node selector) are left out.
  const filters = profile.filters.filter((f) => f.preFilter?.(ctx, pod, nodes) !== 'Skip');
  const feasible: NodeInfo[] = [];
  const rejected: Rejection[] = [];
  let examined = 0;
  while (examined < numNodes && feasible.length < wanted) {
    const node = nodes[(start + examined) % numNodes];
    examined++;
    const view = withNominated(node, pod, input.nominated);
    let rejection: Rejection | undefined;
    for (const f of filters) {
      const status = f.filter!(ctx, pod, view);
      if (status.code !== 'Success') {
        rejection = { node: node.name, plugin: f.name, reasons: status.reasons };
        break;
      }
    }
    if (rejection) rejected.push(rejection);
    else feasible.push(node);
  }
  const nextStartIndex = numNodes === 0 ? 0 : (start + examined) % numNodes;

  const explanation: Explanation = {
    pod: pod.key,
    time: (input.now ?? new Date()).toISOString(),
    result: 'Unschedulable',
    node: undefined,
    message: undefined,
    nodesInCluster: numNodes,
    nodesEvaluated: examined,
    rejected,
    plugins: profile.scores.map((s) => ({ name: s.plugin.name, weight: s.weight })),
    scoredNodes: feasible.map((n) => n.name),
    scores: [],
    totals: new Float64Array(feasible.length),
  };

  // 3. No feasible node: the pod is unschedulable, with every node's reasons in the message.
  if (feasible.length === 0) {
    const message = computeFitErrorMessage(numNodes, rejected.map((r) => r.reasons));
    explanation.message = message;
    return { node: undefined, nextStartIndex, message, explanation };
  }

  // 4. Score: each plugin rates every feasible node, normalizes its own scores to 0..100, and
  //    the weighted scores add up per node. Every score is kept for the explanation. A plugin
  //    that would give every node the same score (no preferred affinity, a bare pod) is skipped.
  const raw = new Float64Array(feasible.length);
  for (const { plugin, weight } of profile.scores) {
    if (plugin.preScore?.(ctx, pod, nodes, feasible) === 'Skip') {
      explanation.scores.push(undefined);
      continue;
    }
    for (let i = 0; i < feasible.length; i++) raw[i] = plugin.score!(ctx, pod, feasible[i]);
    plugin.normalize?.(ctx, pod, raw);
    const scores = new Uint8Array(feasible.length);
    for (let i = 0; i < feasible.length; i++) {
      const s = Math.max(0, Math.min(MAX_NODE_SCORE, Math.floor(raw[i])));
      scores[i] = s;
      explanation.totals[i] += s * weight;
    }
    explanation.scores.push(scores);
  }

  // 5. Select: the highest total wins; ties go to a uniformly random one of the best
  //    (reservoir sampling over the tied nodes, in one pass).
  let best = 0;
  let ties = 0;
  for (let i = 0; i < feasible.length; i++) {
    const t = explanation.totals[i];
    if (i === 0 || t > explanation.totals[best]) {
      best = i;
      ties = 1;
    } else if (t === explanation.totals[best]) {
      ties++;
      if (input.random() * ties < 1) best = i;
    }
  }
  const chosen = feasible[best].name;
  explanation.result = 'Scheduled';
  explanation.node = chosen;
  return { node: chosen, nextStartIndex, message: undefined, explanation };
}
