// Pod helpers shared by the scheduler, controllers, kubelet and printers.

import type { KubeObject } from '../object.ts';
import { addQuantity, compareQuantity, tryParseQuantity, zeroQuantity, type Quantity } from '../quantity.ts';

type PodLike = Pick<KubeObject, 'spec' | 'status'>;
type ResourceMap = Record<string, Quantity>;

/** Keyed by user-supplied resource names, so no prototype keys may shadow them. */
function newResourceMap(): ResourceMap {
  return Object.create(null) as ResourceMap;
}

export function getPodCondition(pod: PodLike, type: string): { type: string; status: string; lastTransitionTime?: string } | undefined {
  return (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === type);
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: PodLike): boolean {
  return getPodCondition(pod, 'Ready')?.status === 'True';
}

/** Ready for at least `minReadySeconds` at `now` (podutil.IsPodAvailable). */
export function isPodAvailable(pod: PodLike, minReadySeconds: number, now: Date | number = Date.now()): boolean {
  const c = getPodCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  if (!c.lastTransitionTime) return false;
  const nowMs = typeof now === 'number' ? now : now.getTime();
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 <= nowMs;
}

/** Succeeded or Failed: the pod will never run again. */
export function isPodTerminal(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function addInto(into: ResourceMap, list: Record<string, unknown> | undefined): void {
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(v);
    if (q) into[k] = into[k] ? addQuantity(into[k], q) : q;
  }
}

function maxInto(into: ResourceMap, other: ResourceMap): void {
  for (const [k, q] of Object.entries(other)) if (!into[k] || compareQuantity(q, into[k]) > 0) into[k] = q;
}

/**
 * What the scheduler reserves for a pod (resourcehelper.PodRequests): the sum over containers,
 * or the largest init container (plus the sidecars started before it) if that is bigger.
 * Sidecars (init containers with restartPolicy Always) run alongside and add to the sum.
 */
export function podResourceRequests(pod: PodLike): ResourceMap {
  const reqs = newResourceMap();
  for (const c of pod.spec?.containers ?? []) addInto(reqs, c.resources?.requests);
  const sidecars = newResourceMap();
  const initMax = newResourceMap();
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      addInto(reqs, c.resources?.requests);
      addInto(sidecars, c.resources?.requests);
      maxInto(initMax, sidecars);
    } else {
      const tmp = newResourceMap();
      addInto(tmp, c.resources?.requests);
      for (const [k, q] of Object.entries(sidecars)) tmp[k] = tmp[k] ? addQuantity(tmp[k], q) : q;
      maxInto(initMax, tmp);
    }
  }
  maxInto(reqs, initMax);
  return reqs;
}

/** Same as podResourceRequests for limits (used for printing and QoS). */
export function podResourceLimits(pod: PodLike): ResourceMap {
  const limits = newResourceMap();
  for (const c of pod.spec?.containers ?? []) addInto(limits, c.resources?.limits);
  return limits;
}

const QOS_RESOURCES = new Set(['cpu', 'memory']);

/** Guaranteed, Burstable or BestEffort, computed as qos.GetPodQOS does. */
export function getPodQOSClass(pod: PodLike): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = newResourceMap();
  const limits = newResourceMap();
  let guaranteed = true;
  const zero = zeroQuantity();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const [name, v] of Object.entries<unknown>(c.resources?.requests ?? {})) {
      const q = tryParseQuantity(v);
      if (!QOS_RESOURCES.has(name) || !q || compareQuantity(q, zero) <= 0) continue;
      requests[name] = requests[name] ? addQuantity(requests[name], q) : q;
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries<unknown>(c.resources?.limits ?? {})) {
      const q = tryParseQuantity(v);
      if (!QOS_RESOURCES.has(name) || !q || compareQuantity(q, zero) <= 0) continue;
      found.add(name);
      limits[name] = limits[name] ? addQuantity(limits[name], q) : q;
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of Object.entries(requests)) {
      if (!limits[name] || compareQuantity(limits[name], req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && Object.keys(requests).length === Object.keys(limits).length ? 'Guaranteed' : 'Burstable';
}


/** Where the agent tells users the host address of each published container port (Kubernetes has no field for it). */
export const HOST_PORTS_ANNOTATION = 'skiff.dev/host-ports';
