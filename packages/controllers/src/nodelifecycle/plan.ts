// Node lifecycle decisions: a node whose lease went stale becomes Ready=Unknown and is tainted
// unreachable (NoExecute); its pods are evicted once their toleration of that taint runs out;
// a node whose lease is fresh again loses the taint.
import { formatTime } from '@skiff/api';
import type { KubeObject } from '@skiff/api';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export const NodeConditionReason = {
  NodeStatusUnknown: 'NodeStatusUnknown',
  NodeStatusNeverUpdated: 'NodeStatusNeverUpdated',
  KubeletReady: 'KubeletReady',
} as const;

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

// timeAdded is rounded up to the second, so that a toleration is never cut short by the rounding.
const isoCeil = (ms: number) => formatTime(Math.ceil(ms / 1000) * 1000);

/** Has the node's agent been silent for longer than the grace period? */
export function isNodeStale(opts: { lastHeartbeat: number; now: number; gracePeriodMs: number }): boolean {
  return opts.now - opts.lastHeartbeat > opts.gracePeriodMs;
}

export interface NodeUpdate {
  /** New status.conditions, when they change. */
  conditions?: NodeCondition[];
  /** New spec.taints, when they change. */
  taints?: Taint[];
}

/** What to write to `node` given whether its lease is stale. Empty when nothing changes. */
export function computeNodeUpdate(node: KubeObject, stale: boolean, now: number): NodeUpdate {
  const update: NodeUpdate = {};
  const conditions: NodeCondition[] = structuredClone(node.status?.conditions ?? []);
  const ready = conditions.find((c) => c.type === 'Ready');
  if (stale) {
    let changed = false;
    if (!ready) {
      conditions.push({ type: 'Ready', status: 'Unknown', lastTransitionTime: formatTime(now), reason: NodeConditionReason.NodeStatusNeverUpdated, message: 'Kubelet never posted node status.' });
      changed = true;
    }
    for (const c of conditions) {
      if (c.status === 'Unknown') continue;
      c.status = 'Unknown';
      c.reason = NodeConditionReason.NodeStatusUnknown;
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = formatTime(now);
      changed = true;
    }
    if (changed) update.conditions = conditions;
  } else if (ready && ready.status === 'Unknown' && ready.reason === NodeConditionReason.NodeStatusUnknown) {
    // The lease is renewed again; the agent may not re-post its status, so say it is back.
    ready.status = 'True';
    ready.reason = NodeConditionReason.KubeletReady;
    ready.message = 'node lease renewed';
    ready.lastTransitionTime = formatTime(now);
    ready.lastHeartbeatTime = formatTime(now);
    update.conditions = conditions;
  }

  const readyStatus = (update.conditions ?? conditions).find((c) => c.type === 'Ready')?.status;
  const wantKey = readyStatus === 'Unknown' ? TAINT_UNREACHABLE : readyStatus === 'False' ? TAINT_NOT_READY : undefined;
  const taints: Taint[] = node.spec?.taints ?? [];
  const ours = (t: Taint) => t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY;
  const next = taints.filter((t) => !ours(t) || t.key === wantKey);
  if (wantKey) {
    for (const effect of ['NoSchedule', 'NoExecute']) {
      if (!next.some((t) => t.key === wantKey && t.effect === effect)) {
        next.push(effect === 'NoExecute' ? { key: wantKey, effect, timeAdded: isoCeil(now) } : { key: wantKey, effect });
      }
    }
  }
  if (JSON.stringify(next) !== JSON.stringify(taints)) update.taints = next;
  return update;
}

/** Kubernetes' DefaultTolerationSeconds: 300 s for the not-ready and unreachable taints. */
export const ADMISSION_DEFAULT_TOLERATION_SECONDS = 300;

function isAdmissionDefault(t: Toleration): boolean {
  return (
    (t.key === TAINT_UNREACHABLE || t.key === TAINT_NOT_READY) &&
    t.operator === 'Exists' &&
    t.effect === 'NoExecute' &&
    t.tolerationSeconds === ADMISSION_DEFAULT_TOLERATION_SECONDS &&
    t.value === undefined
  );
}

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
}

/**
 * When `pod` must be evicted from a node with `taints`, in ms since epoch; undefined if never.
 * A pod without a toleration for the unreachable / not-ready taints gets the default one
 * (`defaultTolerationSeconds`, 300 in Kubernetes' DefaultTolerationSeconds admission), any other
 * untolerated NoExecute taint evicts at once.
 */
export function computeEvictionTime(pod: KubeObject, taints: readonly Taint[], defaultTolerationSeconds: number): number | undefined {
  // The toleration the DefaultTolerationSeconds admission adds to every pod stands for "the
  // default": it follows the configured value, so that tests can shorten it.
  const tolerations: Toleration[] = (pod.spec?.tolerations ?? []).map((t: Toleration) =>
    isAdmissionDefault(t) ? { ...t, tolerationSeconds: defaultTolerationSeconds } : t,
  );
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : 0;
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    let seconds: number | undefined;
    if (matching.length === 0) {
      seconds = taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY ? defaultTolerationSeconds : 0;
    } else if (matching.every((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null)) {
      seconds = Math.max(0, Math.min(...matching.map((t) => t.tolerationSeconds!)));
    } else {
      continue; // tolerated forever
    }
    const deadline = added + seconds * 1000;
    at = at === undefined ? deadline : Math.min(at, deadline);
  }
  return at;
}

/**
 * A pod on an unreachable node is no longer ready (Kubernetes' MarkPodsNotReady), so that
 * Endpoints drop it before it is evicted. The new conditions, or undefined if nothing changes.
 */
export function computePodNotReadyConditions(pod: KubeObject, now: number): { type: string; status: string; lastTransitionTime?: string }[] | undefined {
  const conditions: { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }[] = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready || ready.status !== 'True' || pod.metadata.deletionTimestamp) return undefined;
  return conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: formatTime(now), reason: 'NodeNotReady', message: 'the node is unreachable' } : c));
}
