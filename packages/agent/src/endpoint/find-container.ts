// Finds the runtime container behind `namespace/pod/container` (current or previous attempt).
import type { KubeObject } from '@skiff/api';
import { LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, type ContainerInfo, type ContainerRuntime } from '../runtime/types.ts';
import { groupByContainer } from '../pod/observed.ts';
import { containerKind, lastRun, willRestart } from '../pod/last-run.ts';

export class EndpointError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Only this node's containers count: several agents (or clusters) may share one engine. The
 * previous attempt is the container's last run, as its status names it; `object`, the pod as the
 * agent knows it, says whether an exited newest attempt runs again (without it, it does not).
 */
export async function findContainer(runtime: ContainerRuntime, nodeName: string, ref: ContainerRef, previous: boolean, object?: KubeObject): Promise<ContainerInfo> {
  const { namespace, pod, container } = ref;
  const all = await runtime.list({ [LABEL_NODE_NAME]: nodeName, [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_NAME]: pod, [LABEL_CONTAINER_NAME]: container });
  const attempts = groupByContainer(all).get(container) ?? [];
  if (previous) {
    const prev = lastRun(attempts, newestRestarts(object, container, attempts[0]?.info));
    if (!prev) throw new EndpointError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    return prev;
  }
  const current = attempts[0]?.info;
  if (!current) throw new EndpointError(400, `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
  return current;
}

/** Whether the container's newest attempt is to run again once exited, as the pod's spec says; without the pod, it is not. */
function newestRestarts(object: KubeObject | undefined, container: string, newest: ContainerInfo | undefined): boolean {
  if (!object || !newest) return false;
  const kind = containerKind(object, container);
  return kind !== undefined && willRestart(object, kind, newest);
}
