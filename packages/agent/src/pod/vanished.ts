// A container none of whose attempts the runtime holds any more (removed behind the agent's back,
// e.g. `docker rm -f`), or holds yet. The kubelet keeps such a container's restart count in the
// file names of its log directory, which outlive the containers; skiff keeps it in the pod's
// reported status: ./status.ts carries it through every status written until the next attempt
// exists, and ./plan.ts numbers that attempt from it.
import type { ContainerStatus, KubeObject, PodStatus } from '@skiff/api';

/** What the kubelet says of a container that used to run and can no longer be found. */
export const VANISHED_TERMINATION = {
  exitCode: 137,
  reason: 'ContainerStatusUnknown',
  message: 'The container could not be located when the pod was deleted.  The container used to be Running',
} as const;

export interface VanishedInput {
  /** The container's status as last reported, if any. */
  reported?: ContainerStatus;
  /** Why the agent is waiting to start it (an image pull error, ...), else the default reason. */
  waiting?: { reason: string; message?: string };
  /** ContainerCreating, or PodInitializing in a pod with init containers. */
  pending: string;
  /** The pod is being deleted: a vanished attempt is not counted as a restart. */
  deleting: boolean;
}

/**
 * The status of a container with no attempt in the runtime, from the one reported before, as the
 * kubelet's convertToAPIContainerStatuses:
 * - never reported: waiting, restartCount 0;
 * - reported terminated: kept as it was, its containerID too (waiting instead when the agent says
 *   why it is waiting to start it again);
 * - reported with a containerID otherwise (running, or waiting to restart an exited attempt):
 *   that attempt has gone. It counts as a restart, unless the pod is being deleted, and a running
 *   one ended in an unknown way (lastState ContainerStatusUnknown, exit code 137);
 * - reported without one (waiting, as this function leaves it): carried over as it is.
 * Once converted, the status keeps its count however often it is computed again.
 *
 * Two departures from the kubelet, which numbers the next attempt from its log directory and so
 * can leave the reported count behind: the count moves on even when the running attempt had a
 * lastState already or the agent has a waiting reason for it, and a vanished attempt that was
 * waiting to be restarted counts too. The count is then always what nextRestartCount needs.
 */
export function vanishedContainerStatus(spec: { name: string; image: string }, input: VanishedInput): ContainerStatus {
  const { reported, waiting, pending, deleting } = input;
  const state = { waiting: { reason: waiting?.reason ?? pending, ...(waiting?.message ? { message: waiting.message } : {}) } };
  if (reported?.state?.terminated) {
    return { ...reported, ready: false, ...(waiting ? { state, lastState: { terminated: reported.state.terminated } } : {}) };
  }
  const gone = !!reported?.containerID;
  const restartCount = (reported?.restartCount ?? 0) + (gone && !deleting ? 1 : 0);
  const lastState = gone && reported?.state?.running ? { terminated: { ...VANISHED_TERMINATION } } : (reported?.lastState ?? {});
  return { name: spec.name, image: spec.image, imageID: '', restartCount, state, lastState, ready: false, started: false };
}

/**
 * The restartCount of a new attempt of a container with no attempt in the runtime: what was last
 * reported for it goes on, one more while the report still names an attempt (that one has gone).
 */
export function nextRestartCount(reported: ContainerStatus | undefined): number {
  if (!reported) return 0;
  return reported.restartCount + (reported.containerID ? 1 : 0);
}

/**
 * How the last attempt of a container with no attempt in the runtime ended, from its reported
 * status: the exit code it was reported terminated with, or, waiting, that of its last
 * termination; 137 when it was reported running (it vanished: ContainerStatusUnknown); undefined
 * when it never ran. The restart policy decides from this whether it runs again, as the kubelet
 * decides from the status it converts (a pod whose containers will not restart is terminal, and
 * the kubelet starts nothing in a terminal pod).
 */
export function reportedLastExit(reported: ContainerStatus | undefined): number | undefined {
  if (!reported) return undefined;
  if (reported.state?.terminated) return reported.state.terminated.exitCode;
  if (reported.containerID && reported.state?.running) return VANISHED_TERMINATION.exitCode;
  return reported.lastState?.terminated?.exitCode;
}

/** A container's status as last reported in the pod's status, from the list of its kind. */
export function reportedStatus(pod: KubeObject, kind: 'app' | 'init' | 'ephemeral', name: string): ContainerStatus | undefined {
  const status = (pod.status ?? {}) as PodStatus;
  const list = kind === 'app' ? status.containerStatuses : kind === 'init' ? status.initContainerStatuses : status.ephemeralContainerStatuses;
  return list?.find((s) => s.name === name);
}
