// Pure construction of this agent's Node object and its status, as a kubelet reports them.
import { formatTime } from '@skiff/api';
import type { KubeObject } from '@skiff/api';

export interface HostFacts {
  cpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
  kernelVersion: string;
  osImage: string;
  runtimeVersion: string;
}

export interface NodeInput {
  name: string;
  ip: string;
  port: number;
  host: HostFacts;
  /** Overrides of the host's capacity (flags), e.g. { cpu: '4', memory: '8Gi', pods: '110' }. */
  capacity?: { cpu?: string; memory?: string; pods?: string };
  /** Held back from allocatable for the system (kube-reserved + system-reserved). */
  reserved: { cpuMilli: number; memoryBytes: number };
  labels?: Record<string, string>;
  ready: boolean;
  readyMessage: string;
  now: Date;
  /** Conditions currently stored, to keep lastTransitionTime when nothing changed. */
  previous?: { type: string; status: string; lastTransitionTime?: string }[];
}

export const KUBELET_VERSION = 'v1.32.0-skiff';

export function buildNode(input: NodeInput): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      labels: {
        'kubernetes.io/hostname': input.name,
        'kubernetes.io/os': input.host.os,
        'kubernetes.io/arch': input.host.arch,
        'beta.kubernetes.io/os': input.host.os,
        'beta.kubernetes.io/arch': input.host.arch,
        ...input.labels,
      },
    },
    spec: {},
    status: buildNodeStatus(input),
  };
}

export function buildNodeStatus(input: NodeInput): Record<string, unknown> {
  const cpuCap = input.capacity?.cpu ?? String(input.host.cpus);
  const memCapBytes = input.capacity?.memory ? undefined : input.host.memoryBytes;
  const memCap = input.capacity?.memory ?? `${Math.floor(input.host.memoryBytes / 1024)}Ki`;
  const pods = input.capacity?.pods ?? '110';
  const cpuMilli = Math.round(Number(cpuCap) * 1000);
  const allocCpu = input.capacity?.cpu && !/^\d+(\.\d+)?$/.test(input.capacity.cpu) ? input.capacity.cpu : `${Math.max(0, cpuMilli - input.reserved.cpuMilli)}m`;
  const allocMem = memCapBytes !== undefined ? `${Math.floor(Math.max(0, memCapBytes - input.reserved.memoryBytes) / 1024)}Ki` : memCap;
  const now = formatTime(input.now);
  const cond = (type: string, status: string, reason: string, message: string) => {
    const prev = input.previous?.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now, reason, message };
  };
  return {
    capacity: { cpu: cpuCap, memory: memCap, pods },
    allocatable: { cpu: allocCpu, memory: allocMem, pods },
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      input.ready ? cond('Ready', 'True', 'KubeletReady', input.readyMessage) : cond('Ready', 'False', 'KubeletNotReady', input.readyMessage),
    ],
    addresses: [
      { type: 'InternalIP', address: input.ip },
      { type: 'Hostname', address: input.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: input.port } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: input.host.kernelVersion,
      osImage: input.host.osImage,
      containerRuntimeVersion: input.host.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: input.host.os,
      architecture: input.host.arch,
    },
  };
}
