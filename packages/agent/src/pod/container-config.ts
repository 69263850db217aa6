// Pure translation of one container of a pod spec into the runtime's ContainerConfig.
import { toBytes, toMilli, type KubeObject } from '@skiff/api';
import type { ContainerConfig, PortBinding } from '../runtime/types.ts';
import type { VolumeMountSpec } from '../volumes/types.ts';
import { containerLabels, containerRuntimeName, hashContainerSpec } from './naming.ts';

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { name?: string; containerPort: number; hostPort?: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  volumeMounts?: VolumeMountSpec[];
}

export interface ConfigInput {
  pod: KubeObject;
  spec: ContainerSpec;
  nodeName: string;
  nodeIP: string;
  restartCount: number;
  /** Host ports chosen for this attempt, keyed `containerPort/PROTOCOL`. */
  hostPorts: ReadonlyMap<string, number>;
}

export const portKey = (p: { containerPort: number; protocol?: string }) => `${p.containerPort}/${p.protocol ?? 'TCP'}`;

export function buildContainerConfig(input: ConfigInput): ContainerConfig {
  const { pod, spec } = input;
  const ports: PortBinding[] = (spec.ports ?? []).map((p) => ({
    containerPort: p.containerPort,
    protocol: p.protocol ?? 'TCP',
    hostIP: p.hostIP || input.nodeIP,
    hostPort: input.hostPorts.get(portKey(p)) ?? p.hostPort ?? 0,
  }));
  const limits = spec.resources?.limits ?? {};
  const requests = spec.resources?.requests ?? {};
  const cpuRequest = requests.cpu ?? limits.cpu;
  return {
    name: containerRuntimeName(pod, spec.name, input.restartCount),
    image: spec.image,
    entrypoint: spec.command?.length ? spec.command : undefined,
    args: spec.args?.length ? spec.args : undefined,
    env: (spec.env ?? []).map((e) => ({ name: e.name, value: e.value ?? resolveFieldRef(e.valueFrom?.fieldRef?.fieldPath, input) })),
    workingDir: spec.workingDir || undefined,
    labels: containerLabels(pod, spec.name, input.nodeName, hashContainerSpec(spec), input.restartCount),
    ports,
    memoryLimitBytes: limits.memory ? toBytes(limits.memory) : undefined,
    nanoCpus: limits.cpu ? Math.round(toMilli(limits.cpu) * 1e6) : undefined,
    // As the kubelet: shares = milliCPU * 1024 / 1000, at least 2.
    cpuShares: cpuRequest ? Math.max(2, Math.round((toMilli(cpuRequest) * 1024) / 1000)) : undefined,
  };
}

/** The downward API for env: the fields a kubelet resolves from the pod and node. */
function resolveFieldRef(path: string | undefined, input: ConfigInput): string {
  const m = input.pod.metadata;
  switch (path) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'spec.nodeName': return input.nodeName;
    case 'spec.serviceAccountName': return input.pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return input.nodeIP;
    default: {
      const label = /^metadata\.labels\['(.+)'\]$/.exec(path ?? '');
      if (label) return m.labels?.[label[1]] ?? '';
      const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path ?? '');
      if (ann) return m.annotations?.[ann[1]] ?? '';
      return '';
    }
  }
}
