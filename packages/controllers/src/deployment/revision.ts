// The annotations that carry a Deployment's revisions, read by `kubectl rollout history/undo`.
import type { KubeObject } from '@skiff/api';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';

/** Deployment annotations that are not copied onto its ReplicaSets. */
const NOT_COPIED = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

export function revisionOf(obj: KubeObject): number {
  const v = Number(obj.metadata.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export function maxRevision(replicaSets: readonly KubeObject[]): number {
  return replicaSets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/**
 * The annotations a (new) ReplicaSet should carry: the deployment's own (minus the ones above),
 * its revision, and the replica counts proportional scaling reads. Returns a new object.
 */
export function computeReplicaSetAnnotations(opts: {
  deployment: KubeObject;
  current: Record<string, string> | undefined;
  revision: number;
  /** Set when the ReplicaSet is created or scaled: spec.replicas and spec.replicas + maxSurge. */
  replicaCounts?: { desired: number; max: number };
}): Record<string, string> {
  const out: Record<string, string> = { ...(opts.current ?? {}) };
  for (const [k, v] of Object.entries(opts.deployment.metadata.annotations ?? {})) {
    if (!NOT_COPIED.has(k)) out[k] = v;
  }
  const old = Number(out[REVISION_ANNOTATION] ?? 0) || 0;
  if (old < opts.revision) {
    if (old > 0) {
      const history = out[REVISION_HISTORY_ANNOTATION] ? out[REVISION_HISTORY_ANNOTATION].split(',') : [];
      history.push(String(old));
      out[REVISION_HISTORY_ANNOTATION] = history.join(',');
    }
    out[REVISION_ANNOTATION] = String(opts.revision);
  }
  if (opts.replicaCounts) {
    out[DESIRED_REPLICAS_ANNOTATION] = String(opts.replicaCounts.desired);
    out[MAX_REPLICAS_ANNOTATION] = String(opts.replicaCounts.max);
  }
  return out;
}
