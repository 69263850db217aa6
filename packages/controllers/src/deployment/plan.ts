// planRollout: everything the Deployment controller decides in one sync, as data. The
// controller applies it (create, update, delete ReplicaSets; write annotations and status).
import { getControllerOf, newControllerRef, type KubeObject } from '@skiff/api';
import { POD_TEMPLATE_HASH_LABEL, computePodTemplateHash, findNewReplicaSet } from './hash.ts';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION, computeReplicaSetAnnotations, maxRevision, revisionOf } from './revision.ts';
import {
  computeNewReplicaSetReplicas,
  computeOldReplicaSetScaleDown,
  computeProportionalScale,
  desiredReplicas,
  isRollingUpdate,
  maxSurgeOf,
  specReplicas,
  sum,
} from './replicas.ts';
import {
  ConditionReason,
  computeDeploymentStatus,
  computePausedConditions,
  computeRolloutStatus,
  conditionOf,
  hasProgressDeadline,
  isDeploymentComplete,
  setCondition,
  type DeploymentCondition,
  type DeploymentStatus,
} from './status.ts';

export const DeploymentEventReason = {
  ScalingReplicaSet: 'ScalingReplicaSet',
  SelectingAll: 'SelectingAll',
} as const;

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RolloutPlan {
  /** A new ReplicaSet to create (the deployment's template had none). */
  create?: KubeObject;
  /** Existing ReplicaSets to write back (replicas, annotations, minReadySeconds changed). */
  update: KubeObject[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  delete: KubeObject[];
  /** The deployment's new revision annotation, when it changes. */
  revision?: string;
  status: DeploymentStatus;
  events: PlannedEvent[];
  /** Look again after this long even if nothing changes (progress deadline). */
  requeueAfterMs?: number;
}

export interface PlanRolloutInput {
  deployment: KubeObject;
  /** ReplicaSets the deployment controls. */
  replicaSets: readonly KubeObject[];
  /** Pods of those ReplicaSets (Recreate waits for the old ones to be gone). */
  pods: readonly KubeObject[];
  now: number;
}

/** The ReplicaSet for the deployment's current template. */
export function computeNewReplicaSet(d: KubeObject, replicas: number, revision: number): KubeObject {
  const hash = computePodTemplateHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template ?? {});
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations: computeReplicaSetAnnotations({
        deployment: d,
        current: {},
        revision,
        replicaCounts: { desired: desiredReplicas(d), max: desiredReplicas(d) + maxSurgeOf(d) },
      }),
      ownerReferences: [newControllerRef(d)],
    },
    spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
}

export function planRollout(input: PlanRolloutInput): RolloutPlan {
  const { deployment: d, now } = input;
  // Work on copies: the inputs come from informer caches and must never change.
  const working = input.replicaSets.map((rs) => structuredClone(rs));
  const original = new Map(input.replicaSets.map((rs) => [rs.metadata.name!, rs]));
  const events: PlannedEvent[] = [];
  let conditions: DeploymentCondition[] = [...(d.status?.conditions ?? [])];
  let created: KubeObject | undefined;

  let newRS = findNewReplicaSet(d, working);
  const oldRSs = () => working.filter((rs) => rs !== newRS);
  const all = () => working;
  const newRevision = maxRevision(oldRSs()) + 1;

  const scale = (rs: KubeObject, to: number) => {
    const from = specReplicas(rs);
    if (from === to) return false;
    rs.spec = { ...rs.spec, replicas: to };
    rs.metadata.annotations = {
      ...(rs.metadata.annotations ?? {}),
      [DESIRED_REPLICAS_ANNOTATION]: String(desiredReplicas(d)),
      [MAX_REPLICAS_ANNOTATION]: String(desiredReplicas(d) + maxSurgeOf(d)),
    };
    events.push({ type: 'Normal', reason: DeploymentEventReason.ScalingReplicaSet, message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}` });
    return true;
  };

  // The new ReplicaSet: bring its revision (and minReadySeconds) up to date, or create it.
  const syncNewReplicaSet = (create: boolean) => {
    if (newRS) {
      newRS.metadata.annotations = computeReplicaSetAnnotations({ deployment: d, current: newRS.metadata.annotations, revision: newRevision });
      const minReady = d.spec?.minReadySeconds ?? 0;
      if ((newRS.spec?.minReadySeconds ?? 0) !== minReady) newRS.spec = { ...newRS.spec, minReadySeconds: minReady };
      if (hasProgressDeadline(d) && !conditionOf({ conditions }, 'Progressing')) {
        conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: ConditionReason.FoundNewReplicaSet, message: `Found new replica set "${newRS.metadata.name}"` }, now);
      }
      return;
    }
    if (!create) return;
    const replicas = computeNewReplicaSetReplicas(d, all(), undefined);
    created = computeNewReplicaSet(d, replicas, newRevision);
    created.status = { replicas: 0, readyReplicas: 0, availableReplicas: 0 };
    newRS = created;
    working.push(created);
    if (replicas > 0) events.push({ type: 'Normal', reason: DeploymentEventReason.ScalingReplicaSet, message: `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}` });
    if (hasProgressDeadline(d)) {
      conditions = setCondition(conditions, { type: 'Progressing', status: 'True', reason: ConditionReason.NewReplicaSetCreated, message: `Created new replica set "${created.metadata.name}"` }, now);
    }
  };

  const finish = (rollout: boolean, cleanup: boolean): RolloutPlan => {
    const base = computeDeploymentStatus(d, all(), newRS, conditions, now);
    const { status, recheckAfterMs } = rollout ? computeRolloutStatus(d, base, newRS, now) : { status: base, recheckAfterMs: undefined };
    const update = working.filter((rs) => rs !== created && JSON.stringify(rs) !== JSON.stringify(original.get(rs.metadata.name!)));
    const revision = newRS ? newRS.metadata.annotations?.[REVISION_ANNOTATION] : undefined;
    return {
      ...(created ? { create: created } : {}),
      update,
      delete: cleanup ? computeHistoryCleanup(d, oldRSs()) : [],
      ...(revision && revision !== d.metadata.annotations?.[REVISION_ANNOTATION] ? { revision } : {}),
      status,
      events,
      ...(recheckAfterMs !== undefined ? { requeueAfterMs: recheckAfterMs } : {}),
    };
  };

  // Being deleted: report status only.
  if (d.metadata.deletionTimestamp) return finish(false, false);

  conditions = computePausedConditions(d, conditions, now);

  // Paused, or spec.replicas changed under a rollout: scale proportionally, roll nothing.
  if (d.spec?.paused || isScalingEvent(d, working)) {
    syncNewReplicaSet(false);
    const active = working.filter((rs) => specReplicas(rs) > 0);
    const target = findActiveOrLatest(newRS, oldRSs());
    if (target) {
      scale(target, desiredReplicas(d));
    } else if (isSaturated(d, newRS)) {
      for (const rs of oldRSs()) if (specReplicas(rs) > 0) scale(rs, 0);
    } else if (isRollingUpdate(d)) {
      const sizes = computeProportionalScale(d, active, d.status?.replicas ?? 0);
      for (const rs of active) if (sizes.has(rs.metadata.name!)) scale(rs, sizes.get(rs.metadata.name!)!);
    }
    return finish(false, Boolean(d.spec?.paused));
  }

  if (!isRollingUpdate(d)) {
    // Recreate: everything old down to zero and gone, then the new ReplicaSet up.
    syncNewReplicaSet(false);
    let scaledDown = false;
    for (const rs of oldRSs()) if (specReplicas(rs) > 0) scaledDown = scale(rs, 0) || scaledDown;
    if (scaledDown || oldPodsRunning(oldRSs(), input.pods, newRS)) return finish(true, false);
    syncNewReplicaSet(true);
    scale(newRS!, desiredReplicas(d));
    return finish(true, isDeploymentComplete(d, (d.status ?? {}) as DeploymentStatus));
  }

  // RollingUpdate: surge the new ReplicaSet first; if it could not grow, shrink the old ones.
  syncNewReplicaSet(true);
  const target = computeNewReplicaSetReplicas(d, all(), newRS);
  const current = specReplicas(newRS!);
  if (current > desiredReplicas(d)) {
    if (scale(newRS!, desiredReplicas(d))) return finish(true, false);
  } else if (target !== current && scale(newRS!, target)) {
    return finish(true, false);
  }
  const sizes = computeOldReplicaSetScaleDown(d, oldRSs(), newRS);
  let scaledDown = false;
  for (const rs of oldRSs()) if (sizes.has(rs.metadata.name!)) scaledDown = scale(rs, sizes.get(rs.metadata.name!)!) || scaledDown;
  if (scaledDown) return finish(true, false);
  return finish(true, isDeploymentComplete(d, (d.status ?? {}) as DeploymentStatus));
}

/** An active ReplicaSet whose desired-replicas annotation disagrees with spec.replicas. */
function isScalingEvent(d: KubeObject, rss: readonly KubeObject[]): boolean {
  return rss.some((rs) => {
    if (specReplicas(rs) === 0) return false;
    const v = rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION];
    return v !== undefined && Number(v) !== desiredReplicas(d);
  });
}

/** The only active ReplicaSet, or the newest if none is active; none if several are. */
function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: readonly KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => (Date.parse(b.metadata.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata.creationTimestamp ?? '') || 0));
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter((rs) => specReplicas(rs) > 0);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

function isSaturated(d: KubeObject, newRS: KubeObject | undefined): boolean {
  if (!newRS) return false;
  const r = desiredReplicas(d);
  return Number(newRS.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]) === r && specReplicas(newRS) === r && (newRS.status?.availableReplicas ?? 0) === r;
}

function oldPodsRunning(oldRSs: readonly KubeObject[], pods: readonly KubeObject[], newRS: KubeObject | undefined): boolean {
  if (sum(oldRSs, (rs) => rs.status?.replicas ?? 0) > 0) return true;
  const newUid = newRS?.metadata.uid;
  return pods.some((p) => {
    const ref = getControllerOf(p);
    if (!ref || (newUid && ref.uid === newUid)) return false;
    if (!oldRSs.some((rs) => rs.metadata.uid === ref.uid)) return false;
    const phase = p.status?.phase;
    return phase !== 'Failed' && phase !== 'Succeeded';
  });
}

/** Old, empty, settled ReplicaSets beyond revisionHistoryLimit (default 10), lowest revision first. */
export function computeHistoryCleanup(d: KubeObject, oldRSs: readonly KubeObject[]): KubeObject[] {
  const limit: number = d.spec?.revisionHistoryLimit ?? 10;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  const byRevision = [...alive].sort((a, b) => revisionOf(a) - revisionOf(b));
  return byRevision
    .slice(0, diff)
    .filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
