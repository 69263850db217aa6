// Finds the runtime container behind `namespace/pod/container` (current or previous attempt).
import { LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, type ContainerInfo, type ContainerRuntime } from '../runtime/types.ts';
import { groupByContainer } from '../pod/observed.ts';

export class EndpointError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** Only this node's containers count: several agents (or clusters) may share one engine. */
export async function findContainer(runtime: ContainerRuntime, nodeName: string, namespace: string, pod: string, container: string, previous: boolean): Promise<ContainerInfo> {
  const all = await runtime.list({ [LABEL_NODE_NAME]: nodeName, [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_NAME]: pod, [LABEL_CONTAINER_NAME]: container });
  const attempts = groupByContainer(all).get(container) ?? [];
  if (previous) {
    const prev = attempts[1]?.info;
    if (!prev) throw new EndpointError(400, `previous terminated container "${container}" in pod "${pod}" not found`);
    return prev;
  }
  const current = attempts[0]?.info;
  if (!current) throw new EndpointError(400, `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`);
  return current;
}
