// The pure part of the StatefulSet controller (pkg/controller/statefulset, stateful_set_control.go):
// the pod and claims of each ordinal, one sync's creations and deletions (OrderedReady or
// Parallel, scale-down from the highest ordinal, RollingUpdate with a partition, OnDelete), the
// claims' owner references per persistentVolumeClaimRetentionPolicy, and the status.
import { isPodAvailable, isPodReady, msUntilAvailable } from '../lib/pod.ts';
import { newControllerRef, type KubeObject, type OwnerReference, type PodSpec, type PodTemplateSpec, type Volume } from '@skiff/api';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/revision.ts';
import { resolveIntOrPercent } from '../lib/int-or-percent.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The ordinal in a pod's name `<set>-<n>`, or undefined when the pod is not named as the set's. */
export function ordinalOf(sts: KubeObject, pod: KubeObject): number | undefined {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export const podName = (sts: KubeObject, ordinal: number) => `${sts.metadata.name}-${ordinal}`;
export const claimName = (template: KubeObject, sts: KubeObject, ordinal: number) => `${template.metadata?.name}-${sts.metadata.name}-${ordinal}`;

/** The pod template a revision stores (its data is {"spec":{"template":{..., "$patch":"replace"}}}). */
export function templateOfRevision(revision: KubeObject): Partial<PodTemplateSpec> {
  const data = revision.data as { spec?: { template?: Partial<PodTemplateSpec> & { $patch?: string } } } | undefined;
  const { $patch: _directive, ...template } = data?.spec?.template ?? {};
  return structuredClone(template);
}

/**
 * The pod of `ordinal` at `revision` (newStatefulSetPod): the revision's template, a stable name,
 * hostname and subdomain (the governing Service gives it a DNS name), the identity labels, and a
 * volume per claim template naming this ordinal's claim.
 */
export function computeStatefulPod(sts: KubeObject, revision: KubeObject, ordinal: number): KubeObject {
  const template = templateOfRevision(revision);
  const name = podName(sts, ordinal);
  const spec: Partial<PodSpec> = structuredClone(template.spec ?? {});
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  const volumes: Volume[] = [...(spec.volumes ?? [])];
  for (const t of (sts.spec?.volumeClaimTemplates ?? []) as KubeObject[]) {
    const volume = { name: t.metadata.name!, persistentVolumeClaim: { claimName: claimName(t, sts, ordinal) } };
    const i = volumes.findIndex((v) => v.name === volume.name);
    if (i >= 0) volumes[i] = volume;
    else volumes.push(volume);
  }
  if (volumes.length > 0) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: sts.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [CONTROLLER_REVISION_HASH_LABEL]: revision.metadata.name! },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(sts)],
    },
    spec,
  };
}

/** The claims of `ordinal`, from the claim templates, labelled with the set's selector labels. */
export function computeClaims(sts: KubeObject, ordinal: number): KubeObject[] {
  return ((sts.spec?.volumeClaimTemplates ?? []) as KubeObject[]).map((t) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimName(t, sts, ordinal),
      namespace: sts.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(sts.spec?.selector?.matchLabels ?? {}) },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
    },
    spec: structuredClone(t.spec ?? {}),
  }));
}

export interface StatefulSetSyncInput {
  sts: KubeObject;
  /** The pods the set controls, terminating ones included. */
  pods: readonly KubeObject[];
  /** The claims in the set's namespace, by name. */
  claims: ReadonlyMap<string, KubeObject>;
  currentRevision: KubeObject;
  updateRevision: KubeObject;
  now: number;
}

export interface ClaimOwnerPatch {
  claim: KubeObject;
  ownerReferences: OwnerReference[];
}

export interface StatefulSetPlan {
  /** Claims to create, before the pods that mount them. */
  createClaims: KubeObject[];
  /** Pods to create (in order). */
  createPods: KubeObject[];
  /** Pods to delete (in order). */
  deletePods: KubeObject[];
  /** Claims whose owner references the retention policy changes. */
  claimOwners: ClaimOwnerPatch[];
  status: StatefulSetStatus;
  /** When to look again because a ready pod will pass minReadySeconds, in ms. */
  recheckMs?: number;
}

export interface StatefulSetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount?: number;
}

const isTerminating = (p: KubeObject) => Boolean(p.metadata.deletionTimestamp);
const isFinished = (p: KubeObject) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
export const revisionOfPod = (p: KubeObject) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];

/**
 * One sync, as StatefulSet's updateStatefulSet: every ordinal below replicas gets its pod (and
 * claims); with OrderedReady, one at a time and only once every lower ordinal is running and
 * ready, and nothing more happens while a pod is unhealthy or terminating. Then the ordinals
 * at or past replicas are deleted, highest first; then, with RollingUpdate, the highest pod at or
 * above the partition not at the update revision is deleted (its successor is created at the
 * update revision by a later sync), one at a time, only while every pod is healthy.
 */
export function planStatefulSet(input: StatefulSetSyncInput): StatefulSetPlan {
  const { sts, now, currentRevision, updateRevision } = input;
  const replicas: number = sts.spec?.replicas ?? 1;
  const start: number = sts.spec?.ordinals?.start ?? 0;
  const minReady: number = sts.spec?.minReadySeconds ?? 0;
  const monotonic = sts.spec?.podManagementPolicy !== 'Parallel';
  const strategy = sts.spec?.updateStrategy ?? {};
  const partition: number = strategy.type === 'RollingUpdate' ? (strategy.rollingUpdate?.partition ?? 0) : 0;
  const healthy = (p: KubeObject) => !isTerminating(p) && p.status?.phase === 'Running' && isPodReady(p) && isPodAvailable(p, minReady, now);

  const slots: (KubeObject | undefined)[] = new Array(replicas).fill(undefined);
  const condemned: KubeObject[] = [];
  for (const p of input.pods) {
    const ord = ordinalOf(sts, p);
    if (ord === undefined) continue;
    if (ord >= start && ord < start + replicas) slots[ord - start] = p;
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(sts, a)! - ordinalOf(sts, b)!);

  const plan: StatefulSetPlan = { createClaims: [], createPods: [], deletePods: [], claimOwners: planClaimOwners(input, condemned), status: computeStatus(input) };
  for (const p of input.pods) {
    const ms = msUntilAvailable(p, minReady, now);
    if (ms !== undefined && (plan.recheckMs === undefined || ms < plan.recheckMs)) plan.recheckMs = ms;
  }
  const missingClaims = (ord: number) => computeClaims(sts, ord).filter((c) => !input.claims.has(c.metadata.name!));
  const firstUnhealthy = [...slots, ...condemned].find((p) => !p || !healthy(p));

  // 1. Every ordinal in range: create, replace finished pods, and (OrderedReady) wait for health.
  for (let i = 0; i < replicas; i++) {
    const ord = start + i;
    const pod = slots[i];
    if (!pod) {
      plan.createClaims.push(...missingClaims(ord));
      // Ordinals below the partition stay at the current revision (RollingUpdate only).
      const revision = strategy.type === 'RollingUpdate' && ord < start + partition ? currentRevision : updateRevision;
      plan.createPods.push(computeStatefulPod(sts, revision, ord));
      if (monotonic) return plan;
      continue;
    }
    if (isTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    if (isFinished(pod)) {
      // Deleted now, created again once gone: never two pods of one ordinal.
      plan.deletePods.push(pod);
      if (monotonic) return plan;
      continue;
    }
    // A pod whose claim went missing gets it back (it is recreated at its next start).
    plan.createClaims.push(...missingClaims(ord));
    if (monotonic && !healthy(pod)) return plan;
  }

  // 2. Ordinals at or past replicas, highest first.
  for (let t = condemned.length - 1; t >= 0; t--) {
    const pod = condemned[t];
    if (isTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    // With OrderedReady only the first unhealthy pod may go while others are unhealthy.
    if (monotonic && !healthy(pod) && pod !== firstUnhealthy) return plan;
    plan.deletePods.push(pod);
    if (monotonic) return plan;
  }

  // 3. RollingUpdate: the highest out-of-date pod at or above the partition, one at a time.
  if (strategy.type !== 'RollingUpdate') return plan;
  if (plan.createPods.length > 0 || plan.deletePods.length > 0) return plan;
  const maxUnavailable = strategy.rollingUpdate?.maxUnavailable;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    // MaxUnavailableStatefulSet (alpha in Kubernetes 1.32): as many out-of-date pods at once,
    // highest first, as keep at most maxUnavailable (rounded up, at least 1) of all the
    // ordinals unavailable, the ones already unavailable included.
    const allowed = Math.max(1, resolveIntOrPercent(maxUnavailable, replicas, true));
    const unavailable = slots.filter((p) => !p || !healthy(p)).length;
    for (let i = replicas - 1; i >= Math.max(0, partition) && plan.deletePods.length < allowed - unavailable; i--) {
      const pod = slots[i];
      if (pod && revisionOfPod(pod) !== updateRevision.metadata.name && !isTerminating(pod)) plan.deletePods.push(pod);
    }
    return plan;
  }
  for (let i = replicas - 1; i >= Math.max(0, partition); i--) {
    const pod = slots[i];
    if (pod && revisionOfPod(pod) !== updateRevision.metadata.name && !isTerminating(pod)) {
      plan.deletePods.push(pod);
      return plan;
    }
    if (!pod || !healthy(pod)) return plan;
  }
  return plan;
}

/**
 * Owner references per persistentVolumeClaimRetentionPolicy (updateClaimOwnerRefForSetAndPod):
 * whenScaled Delete makes a condemned pod the only owner of its claims (they go with the pod);
 * otherwise whenDeleted Delete makes the set their owner (they go with the set).
 */
function planClaimOwners(input: StatefulSetSyncInput, condemned: readonly KubeObject[]): ClaimOwnerPatch[] {
  const { sts, pods, claims } = input;
  const policy = sts.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const setUid = sts.metadata.uid!;
  const podUids = new Set(pods.map((p) => p.metadata.uid));
  const out: ClaimOwnerPatch[] = [];
  for (const pod of pods) {
    const ord = ordinalOf(sts, pod)!;
    if (ord === undefined) continue;
    for (const want of computeClaims(sts, ord)) {
      const claim = claims.get(want.metadata.name!);
      if (!claim) continue;
      const current = claim.metadata.ownerReferences ?? [];
      // References we do not manage stay as they are.
      const others = current.filter((r) => r.uid !== setUid && !podUids.has(r.uid));
      const desired: OwnerReference[] = [...others];
      // A dependent goes only once all its owners have: a condemned claim is the pod's alone.
      if (policy.whenScaled === 'Delete' && condemned.includes(pod)) desired.push({ ...newControllerRef(pod), controller: false });
      else if (policy.whenDeleted === 'Delete') desired.push({ ...newControllerRef(sts), controller: false });
      const key = (refs: OwnerReference[]) => refs.map((r) => r.uid).sort().join(',');
      if (key(desired) !== key(current)) out.push({ claim, ownerReferences: desired });
    }
  }
  return out;
}

function computeStatus(input: StatefulSetSyncInput): StatefulSetStatus {
  const { sts, pods, now, currentRevision, updateRevision } = input;
  const minReady: number = sts.spec?.minReadySeconds ?? 0;
  const s: StatefulSetStatus = {
    observedGeneration: sts.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: currentRevision.metadata.name!,
    updateRevision: updateRevision.metadata.name!,
  };
  for (const p of pods) {
    if (ordinalOf(sts, p) === undefined) continue;
    s.replicas++;
    if (p.status?.phase === 'Running' && isPodReady(p)) {
      s.readyReplicas++;
      if (isPodAvailable(p, minReady, now)) s.availableReplicas++;
    }
    if (isTerminating(p)) continue;
    if (revisionOfPod(p) === s.currentRevision) s.currentReplicas++;
    if (revisionOfPod(p) === s.updateRevision) s.updatedReplicas++;
  }
  // A finished rolling update makes the update revision current.
  if (sts.spec?.updateStrategy?.type === 'RollingUpdate' && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentRevision = s.updateRevision;
    s.currentReplicas = s.updatedReplicas;
  }
  return s;
}
