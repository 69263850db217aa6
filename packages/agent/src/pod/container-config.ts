// Pure translation of one container of a pod spec into the runtime's ContainerConfig: the
// environment (./container-config/env.ts), `$(VAR)` in command and args, the security settings
// (../container-config/security.ts), the termination message file, ports and resources.
// Throws ContainerConfigError / CreateContainerError when the container cannot be made yet.
import { toBytes, toMilli, type KubeObject } from '@skiff/api';
import type { ContainerConfig, Mount, PortBinding } from '../runtime/types.ts';
import type { VolumeMountSpec } from '../volumes/types.ts';
import { computeEnv, expandCommand, type EnvContainer, type EnvResult, type ObjectLookup } from '../container-config/env.ts';
import { computeSecurity, type ContainerSecurityContext } from '../container-config/security.ts';
import type { HookContainer } from '../container-config/hooks.ts';
import { containerLabels, containerRuntimeName, hashContainerSpec } from './naming.ts';

export interface ContainerSpec extends EnvContainer, HookContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: { name?: string; containerPort: number; hostPort?: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  volumeMounts?: VolumeMountSpec[];
  securityContext?: ContainerSecurityContext;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  /** `Always` on an init container makes it a sidecar. */
  restartPolicy?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface ConfigInput {
  pod: KubeObject;
  spec: ContainerSpec;
  nodeName: string;
  nodeIP: string;
  restartCount: number;
  /** Host ports chosen for this attempt, keyed `containerPort/PROTOCOL`. */
  hostPorts: ReadonlyMap<string, number>;
  /** ConfigMaps and Secrets for env and envFrom. */
  objects: ObjectLookup;
  /** The Service variables of the pod (../container-config/service-env.ts). */
  serviceEnv?: ReadonlyMap<string, string>;
  /** The node's allocatable resources (resourceFieldRef of an unset limit). */
  allocatable: Readonly<Record<string, string>>;
  /** The image's USER ('' = root), for runAsNonRoot. */
  imageUser: string;
  /** The host file bind-mounted at terminationMessagePath, if any. */
  terminationMessageFile?: string;
  readSeccompProfile(name: string): string | undefined;
}

export const portKey = (p: { containerPort: number; protocol?: string }) => `${p.containerPort}/${p.protocol ?? 'TCP'}`;

export function buildContainerConfig(input: ConfigInput): { config: ContainerConfig; envSkipped: EnvResult['skipped'] } {
  const { pod, spec } = input;
  const { env, skipped } = computeEnv(spec, { pod, nodeName: input.nodeName, nodeIP: input.nodeIP, allocatable: input.allocatable }, input.objects, input.serviceEnv);
  const security = computeSecurity({ pod, container: spec, imageUser: input.imageUser, readSeccompProfile: input.readSeccompProfile });
  const ports: PortBinding[] = (spec.ports ?? []).map((p) => ({
    containerPort: p.containerPort,
    protocol: p.protocol ?? 'TCP',
    hostIP: p.hostIP || input.nodeIP,
    hostPort: input.hostPorts.get(portKey(p)) ?? p.hostPort ?? 0,
  }));
  const mounts: Mount[] = [];
  if (input.terminationMessageFile && spec.terminationMessagePath) mounts.push({ type: 'bind', source: input.terminationMessageFile, target: spec.terminationMessagePath, readOnly: false });
  const limits = spec.resources?.limits ?? {};
  const requests = spec.resources?.requests ?? {};
  const cpuRequest = requests.cpu ?? limits.cpu;
  const command = expandCommand(spec.command, env);
  const args = expandCommand(spec.args, env);
  const config: ContainerConfig = {
    name: containerRuntimeName(pod, spec.name, input.restartCount),
    image: spec.image,
    entrypoint: command?.length ? command : undefined,
    args: args?.length ? args : undefined,
    env,
    workingDir: spec.workingDir || undefined,
    labels: containerLabels(pod, spec.name, input.nodeName, hashContainerSpec(spec), input.restartCount),
    ports,
    mounts,
    security,
    stdin: spec.stdin || undefined,
    stdinOnce: spec.stdinOnce || undefined,
    tty: spec.tty || undefined,
    memoryLimitBytes: limits.memory ? toBytes(limits.memory) : undefined,
    nanoCpus: limits.cpu ? Math.round(toMilli(limits.cpu) * 1e6) : undefined,
    // As the kubelet: shares = milliCPU * 1024 / 1000, at least 2.
    cpuShares: cpuRequest ? Math.max(2, Math.round((toMilli(cpuRequest) * 1024) / 1000)) : undefined,
  };
  return { config, envSkipped: skipped };
}
