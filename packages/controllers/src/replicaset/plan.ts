// The pure part of the ReplicaSet (and ReplicationController) controller: what to create, what to
// delete, which pods to adopt or release, and the status to write.
import { formatTime, getControllerOf } from '@skiff/api';
import type { KubeObject } from '@skiff/api';
import { isPodAvailable, isPodReady, msUntilAvailable } from '../lib/pod.ts';
import { rankPodsForDeletion } from './rank.ts';

/** Kubernetes' burstReplicas: at most this many creations or deletions in one sync. */
export const BURST_REPLICAS = 500;

export interface ReplicaSetDiff {
  /** How many pods to create (0 when scaling down). */
  create: number;
  /** Pods to delete, in order (empty when scaling up). */
  delete: KubeObject[];
}

export interface DiffReplicaSetInput {
  desired: number;
  /** Active pods this ReplicaSet controls. */
  pods: readonly KubeObject[];
  /** Active pods of this ReplicaSet and its siblings, for the same-node ranking; defaults to `pods`. */
  related?: readonly KubeObject[];
  now: number;
  burst?: number;
}

export function diffReplicaSet(input: DiffReplicaSetInput): ReplicaSetDiff {
  const burst = input.burst ?? BURST_REPLICAS;
  const diff = input.pods.length - input.desired;
  if (diff < 0) return { create: Math.min(-diff, burst), delete: [] };
  if (diff > 0) {
    const ranked = rankPodsForDeletion(input.pods, input.related ?? input.pods, input.now);
    return { create: 0, delete: ranked.slice(0, Math.min(diff, burst)) };
  }
  return { create: 0, delete: [] };
}

/** Batch sizes for `count` creations: 1, 2, 4, ... (Kubernetes' slowStartBatch). */
export function computeSlowStartBatches(count: number, initial = 1): number[] {
  const batches: number[] = [];
  let remaining = count;
  let size = Math.max(1, initial);
  while (remaining > 0) {
    const b = Math.min(size, remaining);
    batches.push(b);
    remaining -= b;
    size *= 2;
  }
  return batches;
}

/**
 * Runs `fn` `count` times in slow-start batches, stopping after the first batch with a failure, so
 * that a quota or admission error costs one call, not hundreds. Returns successes and the first error.
 */
export async function slowStartBatch(count: number, fn: (i: number) => Promise<void>, initial = 1): Promise<{ succeeded: number; attempted: number; error?: unknown }> {
  let succeeded = 0;
  let index = 0;
  for (const size of computeSlowStartBatches(count, initial)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn(index++)));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') succeeded++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { succeeded, attempted: index, error };
  }
  return { succeeded, attempted: index };
}

export type ClaimDecision = 'own' | 'adopt' | 'release' | 'ignore';

/**
 * ClaimPods for one pod: owned pods that stop matching are released, matching orphans adopted
 * (never while the owner or the pod is being deleted), pods of other controllers left alone.
 */
export function decideClaim(opts: {
  ownerUid: string;
  ownerDeleting: boolean;
  pod: KubeObject;
  matches: boolean;
}): ClaimDecision {
  const ref = getControllerOf(opts.pod);
  if (ref) {
    if (ref.uid !== opts.ownerUid) return 'ignore';
    if (opts.matches) return 'own';
    return opts.ownerDeleting ? 'ignore' : 'release';
  }
  if (!opts.matches || opts.ownerDeleting || opts.pod.metadata.deletionTimestamp) return 'ignore';
  return 'adopt';
}

export interface ReplicaSetCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
  conditions?: ReplicaSetCondition[];
}

/**
 * Status from the active controlled pods. `failure` (a create or delete that failed) becomes a
 * ReplicaFailure condition, cleared again once a sync succeeds.
 */
export function computeReplicaSetStatus(opts: {
  rs: KubeObject;
  pods: readonly KubeObject[];
  now: number;
  failure?: { reason: 'FailedCreate' | 'FailedDelete'; message: string };
}): ReplicaSetStatus {
  const { rs, pods, now } = opts;
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReadySeconds: number = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReadySeconds, now)) available++;
    }
  }
  const previous: ReplicaSetCondition[] = rs.status?.conditions ?? [];
  let conditions = previous.filter((c) => c.type !== 'ReplicaFailure');
  if (opts.failure) {
    const old = previous.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    conditions = [
      ...conditions,
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: old?.lastTransitionTime ?? formatTime(now),
        reason: opts.failure.reason,
        message: opts.failure.message,
      },
    ];
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** When to look again because a ready pod will pass minReadySeconds, in ms; undefined if never. */
export function computeAvailabilityRecheck(pods: readonly KubeObject[], minReadySeconds: number, now: number): number | undefined {
  let soonest: number | undefined;
  for (const p of pods) {
    const ms = msUntilAvailable(p, minReadySeconds, now);
    if (ms !== undefined && (soonest === undefined || ms < soonest)) soonest = ms;
  }
  return soonest;
}

/** The pod a ReplicaSet creates: its template, generateName `<rs>-`, and a controller reference. */
export function computePodFromTemplate(owner: KubeObject): KubeObject {
  const template = owner.spec?.template ?? {};
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name!,
          uid: owner.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}
