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
  /** scores[p][i]: plugin p's score (0..100) of scoredNodes[i]. */
  scores: Uint8Array[];
  /** Weighted sum per scored node. */
  totals: Float64Array;
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
  /** Best first. */
  scored: { node: string; total: number; scores: Record<string, number> }[];
  rejected: Rejection[];
}

export function renderExplanation(e: Explanation): ExplanationJSON {
  const order = e.scoredNodes.map((_, i) => i).sort((a, b) => e.totals[b] - e.totals[a]);
  return {
    pod: e.pod,
    time: e.time,
    result: e.result,
    ...(e.node !== undefined ? { node: e.node } : {}),
    ...(e.message !== undefined ? { message: e.message } : {}),
    nodesInCluster: e.nodesInCluster,
    nodesEvaluated: e.nodesEvaluated,
    plugins: e.plugins,
    scored: order.map((i) => ({
      node: e.scoredNodes[i],
      total: e.totals[i],
      scores: Object.fromEntries(e.plugins.map((p, j) => [p.name, e.scores[j][i]])),
    })),
    rejected: e.rejected,
  };
}

/** The last explanation of each pod, oldest evicted first past `capacity` pods. */
export class ExplanationStore {
  private readonly byPod = new Map<string, Explanation>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  record(e: Explanation): void {
    this.byPod.delete(e.pod);
    this.byPod.set(e.pod, e);
    if (this.byPod.size > this.capacity) this.byPod.delete(this.byPod.keys().next().value as string);
  }

  get(podKey: string): Explanation | undefined {
    return this.byPod.get(podKey);
  }

  forget(podKey: string): void {
    this.byPod.delete(podKey);
  }
}
