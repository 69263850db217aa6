// Which attempt of a container counts as its last run: the one a container status names in
// lastState.terminated, and the one `kubectl logs --previous` reads. Both come from here, so the
// logs a user asks for are the run the status shows.
import type { KubeObject } from '@skiff/api';
import type { ContainerInfo } from '../runtime/types.ts';
import type { ObservedContainer } from './observed.ts';

export type ContainerKind = 'app' | 'init' | 'sidecar' | 'ephemeral';

/** A sidecar: an init container with restartPolicy Always, which keeps running beside the app. */
export const isSidecar = (c: { restartPolicy?: string }) => c.restartPolicy === 'Always';

/** What the pod's spec makes of the container called `name`; undefined when it has none. */
export function containerKind(pod: KubeObject, name: string): ContainerKind | undefined {
  const named = (list: { name: string; restartPolicy?: string }[] | undefined) => list?.find((c) => c.name === name);
  const init = named(pod.spec?.initContainers);
  if (init) return isSidecar(init) ? 'sidecar' : 'init';
  if (named(pod.spec?.containers)) return 'app';
  return named(pod.spec?.ephemeralContainers) ? 'ephemeral' : undefined;
}

/** Whether an exited container will be started again (kubecontainer.ShouldContainerBeRestarted). */
export function willRestart(pod: KubeObject, kind: ContainerKind, c: ContainerInfo): boolean {
  if (kind === 'sidecar') return true;
  if (kind === 'ephemeral') return false;
  const policy: string = pod.spec?.restartPolicy ?? 'Always';
  if (kind === 'init') return policy !== 'Never' && c.exitCode !== 0;
  return policy === 'Always' || (policy === 'OnFailure' && c.exitCode !== 0);
}

/**
 * The last run of a container whose attempts are `list` (newest first), as the kubelet tells it:
 * the newest attempt once it has exited and is to run again (it waits in back-off, or is about to
 * be replaced), else the attempt before the newest, if that one has exited.
 *
 * The agent removes the attempt before the newest when it starts a new one. The attempt named
 * here is never that one: by then the newest has exited, and the newest is the last run.
 */
export function lastRun(list: readonly ObservedContainer[], newestRestarts: boolean): ContainerInfo | undefined {
  const [newest, before] = list;
  if (newest && newestRestarts && newest.info.state === 'exited') return newest.info;
  return before?.info.state === 'exited' ? before.info : undefined;
}
