// The pure computation of a pod's status from what the runtime holds, the probe results and what
// the agent is waiting on (image pulls, back-offs), in the exact shape kubectl expects.
import { formatTime } from '@skiff/api';
import type { ContainerStatus, KubeObject } from '@skiff/api';
import type { ContainerInfo } from '../runtime/types.ts';
import { groupByContainer, type ObservedContainer } from './observed.ts';
import { reportedStatus, vanishedContainerStatus } from './vanished.ts';
import { EVICTED_REASON } from '../eviction/plan.ts';
import { isSidecar, lastRun, willRestart, type ContainerKind } from './last-run.ts';

export interface ContainerWaiting {
  reason: string;
  message?: string;
}

export interface StatusInput {
  /** The pod, its status as last reported (a container none of whose attempts is found keeps its count from it). */
  pod: KubeObject;
  containers: ContainerInfo[];
  now: number;
  hostIP: string;
  /** Readiness per container id (true when it has no readiness probe and is running). */
  ready: ReadonlyMap<string, boolean>;
  /** Containers whose startup probe has succeeded (or that have none). */
  started: ReadonlyMap<string, boolean>;
  /** Why a container is not running yet: image pull errors, back-off, ... keyed by container name. */
  waiting: ReadonlyMap<string, ContainerWaiting>;
  /** Runtime name for container ids (`docker://...`). */
  runtime: string;
  /** The pod's IP from its network holder; without a pod network, the first running container's. */
  podIP?: string;
  /** Termination messages of exited containers, by container id. */
  messages?: ReadonlyMap<string, string>;
  /** The node evicted the pod: phase Failed for good, with the reason `Evicted` and this message. */
  evicted?: { message: string };
}

export function computePodStatus(input: StatusInput): Record<string, unknown> {
  const { pod } = input;
  const groups = groupByContainer(input.containers);
  const policy: string = pod.spec?.restartPolicy ?? 'Always';
  const specs: { name: string; image: string }[] = pod.spec?.containers ?? [];
  const initSpecs: { name: string; image: string; restartPolicy?: string }[] = pod.spec?.initContainers ?? [];
  // With init containers, a container not created yet waits in PodInitializing (as the kubelet says).
  const pending = initSpecs.length ? 'PodInitializing' : 'ContainerCreating';

  const initStatuses = initSpecs.map((s) => containerStatus(input, s, groups.get(s.name) ?? [], isSidecar(s) ? 'sidecar' : 'init', 'PodInitializing'));
  const statuses = specs.map((s) => containerStatus(input, s, groups.get(s.name) ?? [], 'app', pending));
  // Containers that ran and whose attempts have all vanished, with how they last ended: the
  // kubelet's getPhase counts them as stopped (not as never started), with that exit code.
  const vanished = new Map<string, number>();
  for (const [i, s] of specs.entries()) {
    const exit = groups.has(s.name) ? undefined : stoppedExit(statuses[i]);
    if (exit !== undefined) vanished.set(s.name, exit);
  }
  // How each regular init container's last attempt ended (undefined: it has not ended).
  const initExits = initSpecs.map((s, i) => {
    const latest = groups.get(s.name)?.[0]?.info;
    return latest ? (latest.state === 'exited' ? latest.exitCode : undefined) : stoppedExit(initStatuses[i]);
  });
  // Initialized: an app container has started before, or every init container has succeeded
  // (a sidecar: has started), as the kubelet's GeneratePodInitializedCondition.
  const initDone =
    specs.some((s) => groups.get(s.name)?.some((c) => c.info.startedAt) || vanished.has(s.name)) ||
    initSpecs.every((s, i) => (isSidecar(s) ? initStatuses[i].started === true : initExits[i] === 0));
  const initFailed = initSpecs.some((s, i) => !isSidecar(s) && initExits[i] !== undefined && initExits[i] !== 0);

  const phase = input.evicted ? 'Failed' : computePhase({ policy, specs, groups, initDone, initFailed, vanished });
  const readiness = [...statuses, ...initStatuses.filter((_, i) => isSidecar(initSpecs[i]))];
  const allReady = statuses.length > 0 && readiness.every((s) => s.ready);
  const old = (pod.status?.conditions ?? []) as { type: string; status: string; lastTransitionTime?: string }[];
  const now = formatTime(input.now);
  const notReadyMsg = `containers with unready status: [${readiness.filter((s) => !s.ready).map((s) => s.name).join(' ')}]`;
  const conditions = [
    condition(old, 'PodReadyToStartContainers', 'True', now),
    condition(old, 'Initialized', initDone ? 'True' : 'False', now, initDone ? undefined : 'ContainersNotInitialized'),
    condition(old, 'Ready', allReady ? 'True' : 'False', now, allReady ? undefined : 'ContainersNotReady', allReady ? undefined : notReadyMsg),
    condition(old, 'ContainersReady', allReady ? 'True' : 'False', now, allReady ? undefined : 'ContainersNotReady', allReady ? undefined : notReadyMsg),
    old.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
  ];
  const podIP = input.podIP ?? firstIP(input.containers);
  const status: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    podIP,
    podIPs: podIP ? [{ ip: podIP }] : undefined,
    startTime: pod.status?.startTime ?? now,
    containerStatuses: statuses,
    qosClass: pod.status?.qosClass ?? qosClass(pod),
  };
  if (input.evicted) {
    status.reason = EVICTED_REASON;
    status.message = input.evicted.message;
  }
  if (initSpecs.length) status.initContainerStatuses = initStatuses;
  const ephemeral: { name: string; image: string }[] = pod.spec?.ephemeralContainers ?? [];
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral.map((s) => containerStatus(input, s, groups.get(s.name) ?? [], 'ephemeral', 'ContainerCreating'));
  return status;
}

function condition(old: { type: string; status: string; lastTransitionTime?: string }[], type: string, value: string, now: string, reason?: string, message?: string) {
  const prev = old.find((c) => c.type === type);
  const c: Record<string, unknown> = { type, status: value, lastProbeTime: null, lastTransitionTime: prev && prev.status === value ? prev.lastTransitionTime : now };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/**
 * How a container with no attempt in the runtime last ended, from its computed status: terminated,
 * or waiting with a last termination (./vanished.ts); undefined when it never ran.
 */
function stoppedExit(s: ContainerStatus): number | undefined {
  return s.state?.terminated?.exitCode ?? (s.state?.waiting ? s.lastState?.terminated?.exitCode : undefined);
}

interface PhaseInput {
  policy: string;
  specs: { name: string }[];
  groups: Map<string, ObservedContainer[]>;
  initDone: boolean;
  /** A regular init container's last attempt failed. */
  initFailed: boolean;
  /** App containers that ran and whose attempts have all vanished, with how they last ended. */
  vanished: ReadonlyMap<string, number>;
}

function computePhase({ policy, specs, groups, initDone, initFailed, vanished }: PhaseInput): string {
  if (!initDone) return initFailed && policy === 'Never' ? 'Failed' : 'Pending';
  const latest = specs.map((s) => groups.get(s.name)?.[0]?.info);
  if (latest.some((l, i) => (!l && !vanished.has(specs[i].name)) || l?.state === 'created')) {
    // A container that has never started keeps the pod Pending, unless others already run.
    return latest.some((l) => l?.state === 'running') ? 'Running' : 'Pending';
  }
  if (latest.some((l) => l?.state === 'running' || l?.state === 'unknown')) return 'Running';
  // Every container has exited (or vanished after it ran).
  const succeeded = specs.every((s, i) => (latest[i] ? latest[i].exitCode : vanished.get(s.name)) === 0);
  if (policy === 'Always') return 'Running';
  if (policy === 'OnFailure') return succeeded ? 'Succeeded' : 'Running';
  return succeeded ? 'Succeeded' : 'Failed';
}

function containerStatus(input: StatusInput, spec: { name: string; image: string }, list: ObservedContainer[], kind: ContainerKind, pending: string): ContainerStatus {
  const latest = list[0]?.info;
  const waiting = input.waiting.get(spec.name);
  if (!latest) {
    const s = vanishedContainerStatus(spec, { reported: reportedStatus(input.pod, kind === 'app' || kind === 'ephemeral' ? kind : 'init', spec.name), waiting, pending, deleting: !!input.pod.metadata.deletionTimestamp });
    return kind === 'init' ? { ...s, started: undefined } : s;
  }
  const base = {
    name: spec.name,
    image: spec.image,
    imageID: latest.imageId,
    containerID: `${input.runtime}://${latest.id}`,
    restartCount: list[0].restartCount,
  };
  let state: ContainerStatus['state'];
  let ready = false;
  let started = false;
  if (latest.state === 'created') {
    state = { waiting: { reason: waiting?.reason ?? pending, ...(waiting?.message ? { message: waiting.message } : {}) } };
  } else if (latest.state === 'running' || latest.state === 'unknown') {
    state = { running: { startedAt: stamp(latest.startedAt) } };
    started = input.started.get(latest.id) ?? true;
    ready = kind !== 'init' && kind !== 'ephemeral' && started && (input.ready.get(latest.id) ?? false);
  } else if (waiting && willRestart(input.pod, kind, latest)) {
    // Exited and waiting to be restarted (CrashLoopBackOff, a failed hook) or to pull.
    state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
  } else {
    state = { terminated: terminated(latest, input) };
  }
  const last = lastRun(list, state.waiting !== undefined);
  const lastState = last ? { terminated: terminated(last, input) } : {};
  return { ...base, state, lastState, ready, started: kind === 'init' ? undefined : started };
}

function terminated(c: ContainerInfo, input: StatusInput) {
  const runtime = input.runtime;
  // A container whose process could not be started at all: the kubelet's StartError.
  const reason = c.oomKilled ? 'OOMKilled' : c.error && !c.startedAt ? 'StartError' : c.exitCode === 0 ? 'Completed' : 'Error';
  // The runtime's message, then what the container left in its termination message file.
  const message = [c.error, input.messages?.get(c.id)].filter(Boolean).join(': ');
  return {
    exitCode: c.exitCode ?? 0,
    reason,
    ...(message ? { message } : {}),
    startedAt: stamp(c.startedAt),
    finishedAt: stamp(c.finishedAt),
    containerID: `${runtime}://${c.id}`,
  };
}

const stamp = (s: string | undefined) => (s ? s.replace(/\.\d+Z$/, 'Z') : undefined);
const firstIP = (cs: ContainerInfo[]) => cs.find((c) => c.state === 'running' && c.ip)?.ip;

function qosClass(pod: KubeObject): string {
  const cs: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] = pod.spec?.containers ?? [];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] && (c.resources?.requests?.[r] ?? c.resources?.limits?.[r]) === c.resources?.limits?.[r]));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
