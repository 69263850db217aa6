// The plugin contract. A plugin is a name plus one function per extension point, as in
// kube-scheduler's framework: `filter` says whether a node can take the pod and why not,
// `score` rates a feasible node, `normalize` maps the raw scores of one attempt onto 0..100.

import type { NodeInfo } from './model/node-info.ts';
import type { PodInfo } from './model/pod-info.ts';

export type StatusCode =
  /** The node can take the pod. */
  | 'Success'
  /** The node cannot take the pod now; a change in the cluster could fix that. */
  | 'Unschedulable';

export interface Status {
  code: StatusCode;
  /** Human-readable reasons, as they appear in the FailedScheduling message. */
  reasons: readonly string[];
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) });

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

/**
 * Per-attempt scratch space shared by the plugins: something worth computing once per pod
 * rather than once per node (compiled affinity terms) is memoised here under the plugin's name.
 */
export class CycleState {
  private readonly memo = new Map<string, unknown>();

  once<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    this.memo.set(key, value);
    return value;
  }

  /** What a pre-step of this attempt stored under `key`; a missing one is a bug in the plugin order. */
  get<T>(key: string): T {
    if (!this.memo.has(key)) throw new Error(`cycle state ${key} read before it was computed`);
    return this.memo.get(key) as T;
  }
}

export const MAX_NODE_SCORE = 100;

/** A pre-check's answer: 'Skip' leaves the plugin out of this attempt (kube's PreFilter/PreScore Skip). */
export type PreResult = 'Skip' | undefined;

export interface Plugin {
  name: string;
  /**
   * 'Skip' when the filter has nothing to check for this pod (say, it asks for no host port).
   * `nodes` is every node of the snapshot, for plugins that count pods across the cluster
   * (affinity, spreading) once per attempt and keep the counts in `ctx`.
   */
  preFilter?(ctx: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreResult;
  filter?(ctx: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /**
   * 'Skip' when every node would get the same score for this pod; the attempt shows no score for
   * it. `nodes`: every node of the snapshot; `feasible`: the nodes that passed the filters.
   */
  preScore?(ctx: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], feasible: readonly NodeInfo[]): PreResult;
  /** A raw score; 0..100 unless the plugin also has `normalize`. */
  score?(ctx: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites the raw scores of all scored nodes of this attempt in place to 0..100. */
  normalize?(ctx: CycleState, pod: PodInfo, scores: Float64Array): void;
}

/** Scales scores so the highest becomes 100 (or, reversed, the lowest); all zero stays zero. */
export function normalizeToMax(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      scores[i] = reverse ? MAX_NODE_SCORE : 0;
      continue;
    }
    const s = Math.floor((scores[i] * MAX_NODE_SCORE) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

/** Maps [min, max] onto [0, 100]; all equal gives 0 (kube-scheduler's InterPodAffinity normalize). */
export function normalizeMinMax(scores: Float64Array): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const diff = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.floor((MAX_NODE_SCORE * (scores[i] - min)) / diff) : 0;
}
