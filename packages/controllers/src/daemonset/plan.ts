// The pure part of the DaemonSet controller (pkg/controller/daemon): which nodes should run the
// daemon pod, the pod to create for a node, what a sync creates and deletes (RollingUpdate with
// maxUnavailable or maxSurge, OnDelete), and the status `kubectl rollout status ds/X` reads.
import { nodeSelectorTermsMatch, toleratesTaint, type KubeObject, type TaintLike, type TolerationLike } from '@skiff/api';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../lib/pod.ts';
import { resolveIntOrPercent } from '../lib/int-or-percent.ts';
import { computePodFromTemplate } from '../replicaset/plan.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/revision.ts';

export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** The tolerations Kubernetes adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function computeDaemonTolerations(hostNetwork: boolean): TolerationLike[] {
  const exists = (key: string, effect: string) => ({ key, operator: 'Exists', effect });
  return [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

/** The template's tolerations plus the daemon ones (a template toleration of the same key and effect is replaced). */
function withDaemonTolerations(own: TolerationLike[] | undefined, hostNetwork: boolean): TolerationLike[] {
  const out = [...(own ?? [])];
  for (const t of computeDaemonTolerations(hostNetwork)) {
    const i = out.findIndex((o) => o.key === t.key && o.effect === t.effect);
    if (i >= 0) out[i] = t;
    else out.push(t);
  }
  return out;
}

export interface NodePlacement {
  /** A new daemon pod may go there. */
  shouldRun: boolean;
  /** A daemon pod already there may stay (NoSchedule taints keep new pods off, not running ones). */
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod: node selector, required node affinity, and taints against the pod's tolerations. */
export function computeNodePlacement(ds: KubeObject, node: KubeObject): NodePlacement {
  const spec = ds.spec?.template?.spec ?? {};
  const labels: Record<string, string> = node.metadata.labels ?? {};
  const name = node.metadata.name ?? '';
  const no = { shouldRun: false, shouldContinueRunning: false };
  for (const [k, v] of Object.entries((spec.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return no;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms && !nodeSelectorTermsMatch(terms, labels, name)) return no;
  const tolerations = withDaemonTolerations(spec.tolerations, Boolean(spec.hostNetwork));
  let shouldRun = true;
  for (const taint of (node.spec?.taints ?? []) as TaintLike[]) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (tolerations.some((t) => toleratesTaint(t, taint))) continue;
    if (taint.effect === 'NoExecute') return no;
    shouldRun = false;
  }
  return { shouldRun, shouldContinueRunning: true };
}

/** The node a daemon pod is for: its nodeName, or the `metadata.name` its node affinity requires. */
export function targetNodeOf(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return String(pod.spec.nodeName);
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/**
 * The daemon pod for `node`: the template, the revision's hash and generation labels, the
 * daemon tolerations, and node affinity on `metadata.name` so the scheduler places it there
 * (ReplaceDaemonSetPodNodeNameNodeAffinity: any other `metadata.name` requirement is replaced).
 */
export function computeDaemonPod(ds: KubeObject, node: string, hash: string): KubeObject {
  const pod = computePodFromTemplate(ds);
  pod.metadata.labels = { ...pod.metadata.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash, [POD_TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) };
  const spec = pod.spec;
  spec.tolerations = withDaemonTolerations(spec.tolerations, Boolean(spec.hostNetwork));
  const nameField = { key: 'metadata.name', operator: 'In', values: [node] };
  const affinity = (spec.affinity ??= {});
  const nodeAffinity = (affinity.nodeAffinity ??= {});
  const terms = (nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as { matchFields?: { key: string }[] }[];
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    // Each term keeps its label requirements and gets the node's name instead of any other.
    nodeSelectorTerms: terms.length === 0 ? [{ matchFields: [nameField] }] : terms.map((t) => ({ ...t, matchFields: [...(t.matchFields ?? []).filter((f) => f.key !== 'metadata.name'), nameField] })),
  };
  return pod;
}

export interface DaemonSetSyncInput {
  ds: KubeObject;
  nodes: readonly KubeObject[];
  /** The pods the DaemonSet controls, terminating ones included. */
  pods: readonly KubeObject[];
  /** The hash of the update revision: pods carrying it are up to date. */
  hash: string;
  now: number;
  /** Milliseconds a failed pod on this node must still wait before it is replaced (backoff.ts); default none. */
  failedPodBackoffMs?: (node: string) => number;
}

export interface DaemonSetStatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

export interface DaemonSetPlan {
  /** Nodes to create a daemon pod on. */
  create: string[];
  /** Pods to delete. */
  delete: KubeObject[];
  status: DaemonSetStatusCounts;
  /** Failed pods among `delete`: each starts or doubles its node's back-off, with a FailedDaemonPod event. */
  failed: KubeObject[];
  /** When to look again because a ready pod will pass minReadySeconds, or a back-off ends, in ms. */
  recheckMs?: number;
}

const isTerminating = (p: KubeObject) => Boolean(p.metadata.deletionTimestamp);
const isFinished = (p: KubeObject) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const byAge = (a: KubeObject, b: KubeObject) =>
  (Date.parse(a.metadata.creationTimestamp ?? '') || 0) - (Date.parse(b.metadata.creationTimestamp ?? '') || 0) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

export function isUpdated(pod: KubeObject, hash: string): boolean {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
}

/**
 * One sync: per node, the pods to create and delete (manage: a node that should run the pod and
 * has none, terminating ones included, gets one; finished pods, pods on nodes that may not keep
 * them or that are gone, and extra pods are deleted), then the rolling update's replacements, and
 * the status counts.
 */
export function planDaemonSet(input: DaemonSetSyncInput): DaemonSetPlan {
  const { ds, nodes, hash, now } = input;
  const minReady: number = ds.spec?.minReadySeconds ?? 0;
  const available = (p: KubeObject) => isPodAvailable(p, minReady, now);
  const strategy = ds.spec?.updateStrategy ?? {};
  const rolling = strategy.type !== 'OnDelete';
  const surging = rolling && resolveIntOrPercent(strategy.rollingUpdate?.maxSurge ?? 0, Math.max(1, nodes.length), true) > 0;

  const byNode = new Map<string, KubeObject[]>();
  const del: KubeObject[] = [];
  for (const p of input.pods) {
    const node = targetNodeOf(p);
    if (node === undefined) {
      if (!isTerminating(p)) del.push(p);
    } else {
      const list = byNode.get(node);
      if (list) list.push(p);
      else byNode.set(node, [p]);
    }
  }

  const create: string[] = [];
  const failed: KubeObject[] = [];
  let backoffMs: number | undefined;
  const counts: DaemonSetStatusCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  const known = new Set<string>();
  // Per eligible node after manage: the pods it keeps, for the rolling update.
  const eligible: { node: string; pods: KubeObject[] }[] = [];

  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    known.add(name);
    const placement = computeNodePlacement(ds, node);
    const pods = (byNode.get(name) ?? []).slice().sort(byAge);
    const live = pods.filter((p) => !isTerminating(p));
    if (placement.shouldRun) {
      counts.desiredNumberScheduled++;
      if (live.length > 0) {
        counts.currentNumberScheduled++;
        if (live.some(isPodReady)) counts.numberReady++;
        if (live.some(available)) counts.numberAvailable++;
        if (live.some((p) => isUpdated(p, hash))) counts.updatedNumberScheduled++;
      }
    } else if (live.length > 0) {
      counts.numberMisscheduled++;
    }
    if (!placement.shouldContinueRunning) {
      del.push(...live);
      continue;
    }
    if (placement.shouldRun && pods.length === 0) {
      create.push(name);
      continue;
    }
    // Failed or succeeded daemon pods are replaced: deleted now, created again once gone; a
    // failed one only once its node's back-off allows (the node keeps it meanwhile, so none is created).
    const failedHere = live.filter((p) => p.status?.phase === 'Failed');
    const wait = failedHere.length > 0 ? (input.failedPodBackoffMs?.(name) ?? 0) : 0;
    if (wait > 0) backoffMs = Math.min(backoffMs ?? wait, wait);
    else failed.push(...failedHere);
    del.push(...live.filter((p) => p.status?.phase === 'Succeeded' || (wait === 0 && p.status?.phase === 'Failed')));
    const running = live.filter((p) => !isFinished(p));
    // Keep the oldest pod (while surging, the oldest old one and the oldest new one); delete the rest.
    let keep: KubeObject[] = running.slice(0, 1);
    if (surging) keep = [running.find((p) => !isUpdated(p, hash)), running.find((p) => isUpdated(p, hash))].filter((p): p is KubeObject => p !== undefined);
    del.push(...running.filter((p) => !keep.includes(p)));
    if (placement.shouldRun) eligible.push({ node: name, pods: keep });
  }
  // Pods for nodes that no longer exist.
  for (const [node, pods] of byNode) if (!known.has(node)) del.push(...pods.filter((p) => !isTerminating(p)));

  if (rolling) planRollingUpdate({ ds, eligible, hash, available, create, del, desired: counts.desiredNumberScheduled });

  counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;
  let recheckMs: number | undefined;
  for (const p of input.pods) {
    const ms = msUntilAvailable(p, minReady, now);
    if (ms !== undefined && (recheckMs === undefined || ms < recheckMs)) recheckMs = ms;
  }
  if (backoffMs !== undefined && (recheckMs === undefined || backoffMs < recheckMs)) recheckMs = backoffMs;
  return { create, delete: [...new Set(del)], failed, status: counts, recheckMs };
}

/**
 * RollingUpdate (pkg/controller/daemon/update.go). With maxSurge 0, old pods are deleted (and
 * replaced by a later sync once gone) while at most maxUnavailable nodes lack an available pod;
 * unavailable old pods go first, at no cost. With maxSurge, a new pod starts beside an available
 * old one on at most maxSurge nodes at once, and the old one is deleted once the new one is
 * available.
 */
function planRollingUpdate(o: {
  ds: KubeObject;
  eligible: { node: string; pods: KubeObject[] }[];
  hash: string;
  available: (p: KubeObject) => boolean;
  create: string[];
  del: KubeObject[];
  desired: number;
}): void {
  const ru = o.ds.spec?.updateStrategy?.rollingUpdate ?? {};
  const maxSurge = resolveIntOrPercent(ru.maxSurge ?? 0, o.desired, true);
  const maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? (maxSurge > 0 ? 0 : 1), o.desired, true);
  const deleting = new Set(o.del);
  if (maxSurge === 0) {
    // Nodes still waiting for their pod count as unavailable.
    let unavailable = o.create.length;
    const candidates: KubeObject[] = [];
    for (const { pods } of o.eligible) {
      const pod = pods.find((p) => !deleting.has(p));
      if (!pod) {
        unavailable++;
      } else if (isUpdated(pod, o.hash)) {
        if (!o.available(pod)) unavailable++;
      } else if (!o.available(pod)) {
        o.del.push(pod);
        unavailable++;
      } else {
        candidates.push(pod);
      }
    }
    o.del.push(...candidates.slice(0, Math.max(0, maxUnavailable - unavailable)));
    return;
  }
  let surging = 0;
  const wantSurge: string[] = [];
  for (const { node, pods } of o.eligible) {
    const oldPod = pods.find((p) => !isUpdated(p, o.hash));
    const newPod = pods.find((p) => isUpdated(p, o.hash));
    if (!oldPod) continue;
    if (newPod) {
      if (o.available(newPod)) o.del.push(oldPod);
      else surging++;
    } else if (!o.available(oldPod)) {
      // Nothing available to protect here: replace at once.
      o.create.push(node);
      surging++;
    } else {
      wantSurge.push(node);
    }
  }
  o.create.push(...wantSurge.slice(0, Math.max(0, maxSurge - surging)));
}

export interface DaemonSetStatus extends DaemonSetStatusCounts {
  observedGeneration: number;
  collisionCount?: number;
}

export function computeDaemonSetStatus(ds: KubeObject, counts: DaemonSetStatusCounts, collisionCount: number): DaemonSetStatus {
  return { ...counts, observedGeneration: ds.metadata.generation ?? 0, ...(collisionCount > 0 ? { collisionCount } : {}) };
}
