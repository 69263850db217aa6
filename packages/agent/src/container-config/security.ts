// securityContext onto the runtime, as the kubelet does: the pod's and the container's contexts
// merged (securitycontext.DetermineEffectiveSecurityContext: the container's fields win), the
// runAsNonRoot check against the image's user (verifyRunAsNonRoot), and the settings the runtime
// applies (user, groups, capabilities, privileged, read-only root, no-new-privileges, seccomp).
import type { KubeObject } from '@skiff/api';
import type { SecuritySettings } from '../runtime/types.ts';
import { ContainerConfigError } from './env.ts';

export interface SeccompProfile {
  type: string;
  localhostProfile?: string;
}

export interface ContainerSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: SeccompProfile;
}

export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
  seccompProfile?: SeccompProfile;
}

export interface SecurityInput {
  pod: KubeObject;
  container: { name: string; securityContext?: ContainerSecurityContext };
  /** The image's configured user (`USER` in its Dockerfile), '' for root. */
  imageUser: string;
  /** Reads a Localhost seccomp profile (relative to the agent's seccomp directory); undefined when missing. */
  readSeccompProfile(localhostProfile: string): string | undefined;
}

/** A setting the runtime cannot apply: the container fails to be created (CreateContainerError). */
export class CreateContainerError extends Error {}

/** The effective context: pod-level runAsUser/runAsGroup/runAsNonRoot/seccompProfile overridden by the container's. */
export function effectiveSecurityContext(pod: KubeObject, container: { securityContext?: ContainerSecurityContext }): ContainerSecurityContext {
  const p: PodSecurityContext = pod.spec?.securityContext ?? {};
  const c = container.securityContext ?? {};
  const merged: ContainerSecurityContext = {
    runAsUser: c.runAsUser ?? p.runAsUser,
    runAsGroup: c.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot,
    seccompProfile: c.seccompProfile ?? p.seccompProfile,
    privileged: c.privileged,
    readOnlyRootFilesystem: c.readOnlyRootFilesystem,
    allowPrivilegeEscalation: c.allowPrivilegeEscalation,
    capabilities: c.capabilities,
  };
  return merged;
}

/**
 * The runtime settings for one container. Throws ContainerConfigError when runAsNonRoot cannot
 * hold (Kubernetes' messages), CreateContainerError when a Localhost seccomp profile is missing.
 */
export function computeSecurity(input: SecurityInput): SecuritySettings {
  const { pod, container } = input;
  const sc = effectiveSecurityContext(pod, container);
  verifyRunAsNonRoot(pod, container.name, sc, input.imageUser);
  const podSc: PodSecurityContext = pod.spec?.securityContext ?? {};
  const out: SecuritySettings = {};
  if (sc.runAsUser !== undefined) out.user = sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser);
  else if (sc.runAsGroup !== undefined) out.user = `${imageUserName(input.imageUser) || '0'}:${sc.runAsGroup}`;
  // The kubelet adds fsGroup to the supplementary groups, so the process may use the volumes it owns.
  const groups = [...(podSc.supplementalGroups ?? []), ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : [])];
  if (groups.length) out.groupAdd = [...new Set(groups.map(String))];
  if (sc.privileged) out.privileged = true;
  if (sc.readOnlyRootFilesystem) out.readOnlyRootFilesystem = true;
  if (sc.capabilities?.add?.length) out.capAdd = sc.capabilities.add.map(capability);
  if (sc.capabilities?.drop?.length) out.capDrop = sc.capabilities.drop.map(capability);
  if (sc.allowPrivilegeEscalation === false) out.noNewPrivileges = true;
  out.seccomp = seccomp(sc.seccompProfile, sc.privileged === true, input);
  return out;
}

/**
 * Without a profile skiff uses the runtime's default, as a kubelet started with
 * `--seccomp-default` does (docs/adr/0010-container-security-defaults.md). Privileged containers
 * are never confined.
 */
function seccomp(profile: SeccompProfile | undefined, privileged: boolean, input: SecurityInput): SecuritySettings['seccomp'] {
  if (privileged || profile?.type === 'Unconfined') return { type: 'Unconfined' };
  if (profile?.type === 'Localhost') {
    const name = profile.localhostProfile ?? '';
    const text = input.readSeccompProfile(name);
    if (text === undefined) throw new CreateContainerError(`failed to create container ${input.container.name}: cannot load seccomp profile "${name}": no such file in the agent's seccomp directory`);
    return { type: 'Localhost', profile: text };
  }
  return { type: 'RuntimeDefault' };
}

/** Kubernetes' capability names are without the CAP_ prefix; the runtime takes either form. */
const capability = (c: string) => (c.toUpperCase() === 'ALL' ? 'ALL' : c.replace(/^CAP_/i, '').toUpperCase());

/** The user part of an image's `user[:group]`. */
const imageUserName = (imageUser: string) => imageUser.split(':')[0];

/** The kubelet's verifyRunAsNonRoot, with its messages. */
function verifyRunAsNonRoot(pod: KubeObject, name: string, sc: ContainerSecurityContext, imageUser: string): void {
  if (!sc.runAsNonRoot) return;
  const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) throw new ContainerConfigError(`container's runAsUser breaks non-root policy (pod: "${podRef}", container: ${name})`);
    return;
  }
  const user = imageUserName(imageUser);
  if (user === '' || /^\d+$/.test(user)) {
    if (user === '' || Number(user) === 0) throw new ContainerConfigError(`container has runAsNonRoot and image will run as root (pod: "${podRef}", container: ${name})`);
    return;
  }
  throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (pod: "${podRef}", container: ${name})`);
}
