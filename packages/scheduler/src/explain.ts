// The record of a pod's last scheduling attempt: every evaluated node's verdict (the filter that
// rejected it and why) and every plugin's score on every scored node, kept compactly (one byte a
// score) so thousands of nodes cost little, and rendered as JSON for `skiff explain` on request.

export type AttemptResult = 'Scheduled' | 'Unschedulable' | 'BindingFailed';

export interface Rejection {
  node: string;
  plugin: string;
  reasons: readonly string[];
}

export interface Explanation {
  pod: string;
  time: string;
  result: AttemptResult;
  node: string | undefined;
  message: string | undefined;
  nodesInCluster: number;
  /** Nodes the filters ran on; fewer than the cluster when percentageOfNodesToScore stopped early. */
  nodesEvaluated: number;
  rejected: Rejection[];
  /** Score plugins in profile order. */
  plugins: { name: string; weight: number }[];
  scoredNodes: string[];
  /** scores[p][i]: plugin p's score (0..100) of scoredNodes[i]; undefined for a plugin skipped for this pod. */
  scores: (Uint8Array | undefined)[];
  /** Weighted sum per scored node. */
  totals: Float64Array;
  /** No node fitted, and evicting these pods (namespace/name) from this node will make room. */
  preemption?: { node: string; victims: string[]; budgetViolations: number };
}

export interface ExplanationJSON {
  pod: string;
  time: string;
  result: AttemptResult;
  node?: string;
  message?: string;
  nodesInCluster: number;
  nodesEvaluated: number;
  plugins: { name: string; weight: number }[];
  /** Best first; a plugin skipped for this pod (nothing to score) has no entry in `scores`. */
  scored: { node: string; total: number; scores: Record<string, number> }[];
  rejected: Rejection[];
  preemption?: { node: string; victims: string[]; budgetViolations: number };
}

export function renderExplanation(e: Explanation): ExplanationJSON {
  // Best first; among equal totals the node the tie-break chose comes first.
  const chosen = (i: number) => (e.scoredNodes[i] === e.node ? 1 : 0);
  const order = e.scoredNodes.map((_, i) => i).sort((a, b) => e.totals[b] - e.totals[a] || chosen(b) - chosen(a));
  return {
    pod: e.pod,
    time: e.time,
    result: e.result,
    ...(e.node !== undefined ? { node: e.node } : {}),
    ...(e.message !== undefined ? { message: e.message } : {}),
    nodesInCluster: e.nodesInCluster,
    nodesEvaluated: e.nodesEvaluated,
    ...(e.preemption ? { preemption: e.preemption } : {}),
    plugins: e.plugins,
    scored: order.map((i) => ({
      node: e.scoredNodes[i],
      total: e.totals[i],
      scores: Object.fromEntries(e.plugins.flatMap((p, j) => (e.scores[j] ? [[p.name, e.scores[j]![i]]] : []))),
    })),
    rejected: e.rejected,
  };
}

/** What an explanation costs to keep: one unit per node verdict or scored node. */
function costOf(e: Explanation): number {
  return 1 + e.rejected.length + e.scoredNodes.length;
}

/**
 * The last explanation of each pod, within a budget of node entries (on a 5,000-node cluster one
 * explanation holds hundreds): the oldest explanations are dropped first.
 */
export class ExplanationStore {
  private readonly byPod = new Map<string, Explanation>();
  private readonly budget: number;
  private used = 0;

  constructor(budget: number) {
    this.budget = budget;
  }

  record(e: Explanation): void {
    this.forget(e.pod);
    this.byPod.set(e.pod, e);
    this.used += costOf(e);
    for (const [key, old] of this.byPod) {
      if (this.used <= this.budget || key === e.pod) break;
      this.byPod.delete(key);
      this.used -= costOf(old);
    }
  }

  get(podKey: string): Explanation | undefined {
    return this.byPod.get(podKey);
  }

  forget(podKey: string): void {
    const old = this.byPod.get(podKey);
    if (!old) return;
    this.byPod.delete(podKey);
    this.used -= costOf(old);
  }
}

/** The Lease the schedulers elect a leader on; the leader writes its endpoint into it. */
export const SCHEDULER_LEASE = { namespace: 'kube-system', name: 'skiff-scheduler' } as const;
/** Annotation on SCHEDULER_LEASE: the active scheduler's explain endpoint (`http://host:port`). */
export const SCHEDULER_ENDPOINT_ANNOTATION = 'skiff.dev/scheduler-endpoint';
