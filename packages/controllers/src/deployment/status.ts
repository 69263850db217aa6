// Deployment status: the counts `kubectl rollout status` reads and the Available and Progressing
// conditions, with Kubernetes' reasons and messages.
import { formatTime, type KubeObject } from '@skiff/api';
import { desiredReplicas, maxUnavailableOf, specReplicas, sum } from './replicas.ts';

export const ConditionReason = {
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  NewReplicaSetAvailable: 'NewReplicaSetAvailable',
  ProgressDeadlineExceeded: 'ProgressDeadlineExceeded',
  DeploymentPaused: 'DeploymentPaused',
  DeploymentResumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

export interface DeploymentCondition {
  type: 'Available' | 'Progressing' | 'ReplicaFailure' | string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface DeploymentStatus {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  conditions: DeploymentCondition[];
  collisionCount?: number;
}

export function conditionOf(status: { conditions?: DeploymentCondition[] } | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition, keeping lastTransitionTime when the status does not change, and doing
 * nothing at all when status and reason are both unchanged. Returns a new list.
 */
export function setCondition(conditions: readonly DeploymentCondition[], c: Omit<DeploymentCondition, 'lastUpdateTime' | 'lastTransitionTime'>, now: number): DeploymentCondition[] {
  const current = conditions.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return [...conditions];
  const t = formatTime(now);
  const next: DeploymentCondition = {
    ...c,
    lastUpdateTime: t,
    lastTransitionTime: current && current.status === c.status ? current.lastTransitionTime : t,
  };
  return [...conditions.filter((x) => x.type !== c.type), next];
}

/** Counts and the Available condition, from the ReplicaSets after this sync's scaling. */
export function computeDeploymentStatus(d: KubeObject, all: readonly KubeObject[], newRS: KubeObject | undefined, conditions: readonly DeploymentCondition[], now: number): DeploymentStatus {
  const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS ? newRS.status?.replicas ?? 0 : 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, sum(all, specReplicas) - available),
    conditions: [...conditions],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions =
    available >= desiredReplicas(d) - maxUnavailableOf(d)
      ? setCondition(status.conditions, { type: 'Available', status: 'True', reason: ConditionReason.MinimumReplicasAvailable, message: 'Deployment has minimum availability.' }, now)
      : setCondition(status.conditions, { type: 'Available', status: 'False', reason: ConditionReason.MinimumReplicasUnavailable, message: 'Deployment does not have minimum availability.' }, now);
  return status;
}

export function hasProgressDeadline(d: KubeObject): boolean {
  // Unset means the API default, 600 s; math.MaxInt32 means no deadline.
  const s = d.spec?.progressDeadlineSeconds ?? 600;
  return s < 2147483647;
}

export function progressDeadlineSeconds(d: KubeObject): number {
  return d.spec?.progressDeadlineSeconds ?? 600;
}

/** Every desired replica is updated and available, and the status is of the current generation. */
export function isDeploymentComplete(d: KubeObject, s: DeploymentStatus): boolean {
  const r = desiredReplicas(d);
  return s.updatedReplicas === r && s.replicas === r && s.availableReplicas === r && s.observedGeneration >= (d.metadata.generation ?? 0);
}

/** Did anything move forward since the previous status? */
export function isDeploymentProgressing(previous: Partial<DeploymentStatus> | undefined, s: DeploymentStatus): boolean {
  const p = { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0, ...(previous ?? {}) };
  return (
    s.updatedReplicas > p.updatedReplicas ||
    s.readyReplicas > p.readyReplicas ||
    p.replicas - p.updatedReplicas > s.replicas - s.updatedReplicas ||
    s.availableReplicas > p.availableReplicas
  );
}

export function isDeploymentTimedOut(d: KubeObject, s: DeploymentStatus, now: number): boolean {
  const c = conditionOf(s, 'Progressing');
  if (!c || !hasProgressDeadline(d)) return false;
  if (c.reason === ConditionReason.NewReplicaSetAvailable) return false;
  if (c.reason === ConditionReason.ProgressDeadlineExceeded) return true;
  return Date.parse(c.lastUpdateTime) + progressDeadlineSeconds(d) * 1000 < now;
}

/**
 * The Progressing condition after a rollout step (Kubernetes' syncRolloutStatus), and how long
 * until the deadline must be checked again if nothing else happens.
 */
export function computeRolloutStatus(d: KubeObject, base: DeploymentStatus, newRS: KubeObject | undefined, now: number): { status: DeploymentStatus; recheckAfterMs?: number } {
  const status: DeploymentStatus = { ...base, conditions: [...base.conditions] };
  if (!hasProgressDeadline(d)) status.conditions = status.conditions.filter((c) => c.type !== 'Progressing');
  const current = conditionOf(status, 'Progressing');
  const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  const complete = status.replicas === status.updatedReplicas && current?.reason === ConditionReason.NewReplicaSetAvailable;
  if (hasProgressDeadline(d) && !complete) {
    if (isDeploymentComplete(d, status)) {
      status.conditions = setCondition(status.conditions, { type: 'Progressing', status: 'True', reason: ConditionReason.NewReplicaSetAvailable, message: `${what} has successfully progressed.` }, now);
    } else if (isDeploymentProgressing(d.status, status)) {
      // Progress refreshes lastUpdateTime (the deadline counts from it) but not the transition.
      const t = formatTime(now);
      const c: DeploymentCondition = {
        type: 'Progressing',
        status: 'True',
        reason: ConditionReason.ReplicaSetUpdated,
        message: `${what} is progressing.`,
        lastUpdateTime: t,
        lastTransitionTime: current?.status === 'True' ? current.lastTransitionTime : t,
      };
      status.conditions = [...status.conditions.filter((x) => x.type !== 'Progressing'), c];
    } else if (isDeploymentTimedOut(d, status, now)) {
      status.conditions = setCondition(status.conditions, { type: 'Progressing', status: 'False', reason: ConditionReason.ProgressDeadlineExceeded, message: `${what} has timed out progressing.` }, now);
    }
  }
  let recheckAfterMs: number | undefined;
  const c = conditionOf(status, 'Progressing');
  if (hasProgressDeadline(d) && c && !isDeploymentComplete(d, status) && c.reason !== ConditionReason.ProgressDeadlineExceeded && c.reason !== ConditionReason.NewReplicaSetAvailable) {
    recheckAfterMs = Math.max(0, Date.parse(c.lastUpdateTime) + progressDeadlineSeconds(d) * 1000 - now) + 1000;
  }
  return { status, recheckAfterMs };
}

/** Progressing=Unknown while paused, and again (DeploymentResumed) right after. */
export function computePausedConditions(d: KubeObject, conditions: readonly DeploymentCondition[], now: number): DeploymentCondition[] {
  if (!hasProgressDeadline(d)) return [...conditions];
  const c = conditions.find((x) => x.type === 'Progressing');
  const pausedNow = c?.reason === ConditionReason.DeploymentPaused;
  if (d.spec?.paused && !pausedNow) {
    return setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: ConditionReason.DeploymentPaused, message: 'Deployment is paused' }, now);
  }
  if (!d.spec?.paused && pausedNow) {
    return setCondition(conditions, { type: 'Progressing', status: 'Unknown', reason: ConditionReason.DeploymentResumed, message: 'Deployment is resumed' }, now);
  }
  return [...conditions];
}

