// The pure heart of the agent: given a pod and what the runtime holds for it, what to do next.
// Like the kubelet's computePodActions: level-triggered, so calling it again after acting (or
// after a crash of the agent) picks up where things stand.
import type { KubeObject } from '@skiff/api';
import type { ContainerInfo } from '../runtime/types.ts';
import { LABEL_SPEC_HASH } from '../runtime/types.ts';
import { restartNotBefore, type BackoffPolicy } from './backoff.ts';
import { hashContainerSpec } from './naming.ts';
import { LABEL_SANDBOX_ID } from '../network/types.ts';
import { groupByContainer, ms, type ObservedContainer } from './observed.ts';

export type PodAction =
  | { type: 'start'; container: string; init: boolean; restartCount: number }
  | { type: 'start-existing'; container: string; id: string }
  | { type: 'kill'; container: string; id: string; graceSeconds: number; reason: 'SpecChanged' | 'LivenessFailed' | 'Deleting' | 'StartupFailed' | 'SandboxChanged' }
  | { type: 'remove'; id: string }
  | { type: 'backoff'; container: string; until: number }
  | { type: 'confirm-deletion' };

export interface PlanInput {
  pod: KubeObject;
  containers: ContainerInfo[];
  now: number;
  backoff: BackoffPolicy;
  /** Container ids whose liveness (or startup) probe has failed past its threshold. */
  unhealthy: ReadonlySet<string>;
  /**
   * Id of the pod's live network holder, when the node has a pod network. A running container
   * that joined another (stopped) holder has lost its network and is restarted, as the kubelet
   * kills a pod's containers when it re-creates the sandbox.
   */
  sandboxId?: string;
}

export function planPodSync(input: PlanInput): PodAction[] {
  const { pod } = input;
  const groups = groupByContainer(input.containers);
  if (pod.metadata.deletionTimestamp) return planDeletion(input);

  const actions: PodAction[] = [];
  const policy: string = pod.spec?.restartPolicy ?? 'Always';
  const initContainers: { name: string }[] = pod.spec?.initContainers ?? [];
  const containers: { name: string }[] = pod.spec?.containers ?? [];

  // Containers that are no longer in the spec (or stale older attempts) are removed.
  const known = new Set([...initContainers, ...containers].map((c) => c.name));
  for (const [name, list] of groups) {
    const keep = known.has(name) ? 2 : 0; // the current attempt and the previous one (logs --previous)
    for (const old of list.slice(keep)) if (old.info.state !== 'running') actions.push({ type: 'remove', id: old.info.id });
    if (!known.has(name)) for (const c of list) if (c.info.state === 'running') actions.push({ type: 'kill', container: name, id: c.info.id, graceSeconds: 0, reason: 'SpecChanged' });
  }

  // Init containers run one at a time, in order; app containers start once all have succeeded.
  for (const spec of initContainers) {
    const list = groups.get(spec.name) ?? [];
    const latest = list[0];
    if (latest && latest.info.state === 'exited' && latest.info.exitCode === 0) continue;
    // Init containers restart on failure unless the pod's policy is Never (then the pod fails).
    const initPolicy = policy === 'Never' ? 'Never' : 'OnFailure';
    actions.push(...planContainer(input, spec, list, initPolicy, true));
    return actions;
  }
  for (const spec of containers) actions.push(...planContainer(input, spec, groups.get(spec.name) ?? [], policy, false));
  return actions;
}

function planContainer(input: PlanInput, spec: { name: string }, list: ObservedContainer[], policy: string, init: boolean): PodAction[] {
  const latest = list[0];
  if (!latest) return [{ type: 'start', container: spec.name, init, restartCount: 0 }];
  const { info } = latest;
  if (info.state === 'created') return [{ type: 'start-existing', container: spec.name, id: info.id }];
  if (info.state === 'running' || info.state === 'unknown') {
    if (info.labels[LABEL_SPEC_HASH] !== hashContainerSpec(spec)) {
      return [{ type: 'kill', container: spec.name, id: info.id, graceSeconds: gracePeriod(input.pod), reason: 'SpecChanged' }];
    }
    if (input.sandboxId !== undefined && info.labels[LABEL_SANDBOX_ID] !== undefined && info.labels[LABEL_SANDBOX_ID] !== input.sandboxId) {
      return [{ type: 'kill', container: spec.name, id: info.id, graceSeconds: 0, reason: 'SandboxChanged' }];
    }
    if (input.unhealthy.has(info.id)) {
      return [{ type: 'kill', container: spec.name, id: info.id, graceSeconds: gracePeriod(input.pod), reason: 'LivenessFailed' }];
    }
    return [];
  }
  // Exited: restart per the policy, after the back-off.
  const restart = policy === 'Always' || (policy === 'OnFailure' && info.exitCode !== 0);
  if (!restart) return [];
  // A container that never started (its start failed) has no finishedAt: count from its creation,
  // not from now, or the back-off would never run out.
  const exitedAt = ms(info.finishedAt) ?? ms(info.createdAt) ?? input.now;
  const notBefore = restartNotBefore(input.backoff, latest.restartCount, ms(info.startedAt), exitedAt);
  if (input.now < notBefore) return [{ type: 'backoff', container: spec.name, until: notBefore }];
  return [{ type: 'start', container: spec.name, init, restartCount: latest.restartCount + 1 }];
}

function planDeletion(input: PlanInput): PodAction[] {
  const running = input.containers.filter((c) => c.state === 'running' || c.state === 'unknown');
  if (running.length > 0) {
    const deadline = ms(input.pod.metadata.deletionTimestamp) ?? input.now;
    let grace = Math.max(0, Math.ceil((deadline - input.now) / 1000));
    // deletionTimestamp is truncated to the second, so the real deadline may be up to 1 s later: a
    // pod given a grace period (e.g. --grace-period=1) must not be SIGKILLed without its SIGTERM.
    const granted: number | undefined = input.pod.metadata.deletionGracePeriodSeconds;
    if (granted && granted > 0 && deadline + 1000 > input.now) grace = Math.max(grace, 1);
    return running.map((c) => ({ type: 'kill' as const, container: c.labels['io.kubernetes.container.name'] ?? '', id: c.id, graceSeconds: grace, reason: 'Deleting' as const }));
  }
  return [...input.containers.map((c) => ({ type: 'remove' as const, id: c.id })), { type: 'confirm-deletion' }];
}

function gracePeriod(pod: KubeObject): number {
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}
