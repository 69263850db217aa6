// Builders for pods and observed containers in the agent's unit tests.
import type { KubeObject } from '@skiff/api';
import type { ContainerInfo } from '../runtime/types.ts';
import { containerLabels, hashContainerSpec } from './naming.ts';

export function pod(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1234-5678', ...meta },
    spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'skiff/busybox:1' }], ...spec },
  };
}

let seq = 0;
export function observed(p: KubeObject, name: string, state: ContainerInfo['state'], extra: Partial<ContainerInfo> & { restartCount?: number } = {}): ContainerInfo {
  const spec = [...(p.spec.initContainers ?? []), ...p.spec.containers].find((c: { name: string }) => c.name === name);
  const { restartCount = 0, ...rest } = extra;
  return {
    id: `c${++seq}`,
    name: `skiff_${name}_${seq}`,
    image: spec?.image ?? 'x',
    imageId: 'sha256:abc',
    labels: containerLabels(p, name, 'n1', hashContainerSpec(spec), restartCount),
    state,
    oomKilled: false,
    ports: [],
    createdAt: new Date(1_000_000 + seq).toISOString(),
    ...rest,
  };
}
