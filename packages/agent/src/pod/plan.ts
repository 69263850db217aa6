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
import { nextRestartCount, reportedLastExit, reportedStatus } from './vanished.ts';
import { isSidecar } from './last-run.ts';

export type PodAction =
  | { type: 'start'; container: string; init: boolean; restartCount: number }
  | { type: 'start-existing'; container: string; id: string }
  | { type: 'kill'; container: string; id: string; graceSeconds: number; reason: 'SpecChanged' | 'LivenessFailed' | 'Deleting' | 'StartupFailed' | 'Completed' | 'SandboxChanged' | 'Evicted' }
  | { type: 'remove'; id: string }
  | { type: 'backoff'; container: string; until: number }
  | { type: 'confirm-deletion' };

export interface PlanInput {
  /**
   * The pod, its status as last reported: a container none of whose attempts the runtime holds
   * (removed behind the agent's back) goes on from the restartCount reported for it (./vanished.ts).
   */
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
  /** Container ids whose startup probe has not succeeded yet (a sidecar blocks the next init container until it has). */
  notStarted?: ReadonlySet<string>;
  /** The node evicted the pod: its running containers stop within this grace period, and none starts again. */
  evicted?: { graceSeconds: number };
}


export function planPodSync(input: PlanInput): PodAction[] {
  if (input.pod.metadata.deletionTimestamp) return planDeletion(input);
  if (input.evicted) {
    const grace = input.evicted.graceSeconds;
    return input.containers.filter((c) => c.state === 'running' || c.state === 'unknown').map((c) => ({ type: 'kill' as const, container: c.labels['io.kubernetes.container.name'] ?? '', id: c.id, graceSeconds: grace, reason: 'Evicted' as const }));
  }
  const groups = groupByContainer(input.containers);
  const actions = planRunning(input, groups);
  // A new attempt replaces the one before the last: remove that first, so that no more than two
  // attempts of a container (the current one and the previous, for logs --previous) ever exist.
  const removing = new Set(actions.flatMap((a) => (a.type === 'remove' ? [a.id] : [])));
  const removals: PodAction[] = [];
  for (const a of actions) {
    if (a.type !== 'start') continue;
    for (const old of (groups.get(a.container) ?? []).slice(1)) {
      if (old.info.state !== 'running' && !removing.has(old.info.id)) removals.push({ type: 'remove', id: old.info.id });
    }
  }
  return [...removals, ...actions];
}

function planRunning(input: PlanInput, groups: Map<string, ObservedContainer[]>): PodAction[] {
  const { pod } = input;

  const actions: PodAction[] = [];
  const policy: string = pod.spec?.restartPolicy ?? 'Always';
  const initContainers: { name: string; restartPolicy?: string }[] = pod.spec?.initContainers ?? [];
  const containers: { name: string }[] = pod.spec?.containers ?? [];

  const ephemeral: { name: string }[] = pod.spec?.ephemeralContainers ?? [];
  // Containers that are no longer in the spec (or stale older attempts) are removed.
  const known = new Set([...initContainers, ...containers, ...ephemeral].map((c) => c.name));
  for (const [name, list] of groups) {
    const keep = known.has(name) ? 2 : 0; // the current attempt and the previous one (logs --previous)
    for (const old of list.slice(keep)) if (old.info.state !== 'running') actions.push({ type: 'remove', id: old.info.id });
    if (!known.has(name)) for (const c of list) if (c.info.state === 'running') actions.push({ type: 'kill', container: name, id: c.info.id, graceSeconds: 0, reason: 'SpecChanged' });
  }

  // Init containers run one at a time, in order; app containers start once all have succeeded.
  // A sidecar only has to have started (running, startup probe passed) for the next one to go,
  // and is restarted whenever it exits. Once an app container exists the pod is initialized:
  // regular init containers are not run again (as the kubelet), sidecars still are kept running.
  const initialized = containers.some((c) => groups.has(c.name));
  const done = podDone(pod, policy, containers, groups);
  for (const spec of initContainers) {
    const list = groups.get(spec.name) ?? [];
    const latest = list[0];
    if (isSidecar(spec)) {
      if (done) {
        // The app has finished for good: sidecars are stopped, not restarted.
        if (latest && (latest.info.state === 'running' || latest.info.state === 'unknown')) actions.push({ type: 'kill', container: spec.name, id: latest.info.id, graceSeconds: gracePeriod(pod), reason: 'Completed' });
        continue;
      }
      actions.push(...planContainer(input, spec, list, 'Always', true));
      if (initialized || (latest?.info.state === 'running' && !input.notStarted?.has(latest.info.id))) continue;
      return actions;
    }
    // Succeeded: in the runtime, or as last reported when its attempts have vanished since.
    const succeeded = latest ? latest.info.state === 'exited' && latest.info.exitCode === 0 : reportedLastExit(reportedStatus(pod, 'init', spec.name)) === 0;
    if (initialized || succeeded) continue;
    // Init containers restart on failure unless the pod's policy is Never (then the pod fails).
    const initPolicy = policy === 'Never' ? 'Never' : 'OnFailure';
    actions.push(...planContainer(input, spec, list, initPolicy, true));
    return actions;
  }
  for (const spec of containers) actions.push(...planContainer(input, spec, groups.get(spec.name) ?? [], policy, false));
  // Ephemeral containers (kubectl debug) start once the pod is initialized, once each: they are
  // never restarted, and a finished pod starts none.
  if (initialized && !done) {
    for (const spec of ephemeral) {
      if (!groups.has(spec.name) && reportedLastExit(reportedStatus(pod, 'ephemeral', spec.name)) === undefined) actions.push({ type: 'start', container: spec.name, init: false, restartCount: 0 });
    }
  }
  return actions;
}

/** Whether a container whose attempt ended with `exitCode` runs again under the restart policy. */
const restarts = (policy: string, exitCode: number | undefined) => policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);

/**
 * Every app container has exited and will not be restarted (restartPolicy Never, or OnFailure
 * after success). One with no attempt in the runtime counts by its reported status (./vanished.ts).
 */
function podDone(pod: KubeObject, policy: string, containers: { name: string }[], groups: Map<string, ObservedContainer[]>): boolean {
  if (policy === 'Always' || containers.length === 0) return false;
  return containers.every((c) => {
    const info = groups.get(c.name)?.[0]?.info;
    const exit = info ? (info.state === 'exited' ? info.exitCode : undefined) : reportedLastExit(reportedStatus(pod, 'app', c.name));
    return exit !== undefined && !restarts(policy, exit);
  });
}

function planContainer(input: PlanInput, spec: { name: string }, list: ObservedContainer[], policy: string, init: boolean): PodAction[] {
  const latest = list[0];
  if (!latest) {
    // None of its attempts is in the runtime: it never ran, or they vanished (docker rm -f). One
    // that ran is started again only if the policy restarts how it last ended (./vanished.ts).
    const reported = reportedStatus(input.pod, init ? 'init' : 'app', spec.name);
    const exit = reportedLastExit(reported);
    if (exit !== undefined && !restarts(policy, exit)) return [];
    return [{ type: 'start', container: spec.name, init, restartCount: nextRestartCount(reported) }];
  }
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
  if (!restarts(policy, info.exitCode)) return [];
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
    // Sidecars stop after the app containers, as the kubelet does, within the same grace period.
    const sidecars = new Set(((input.pod.spec?.initContainers ?? []) as { name: string; restartPolicy?: string }[]).filter(isSidecar).map((c) => c.name));
    const nameOf = (c: ContainerInfo) => c.labels['io.kubernetes.container.name'] ?? '';
    const app = running.filter((c) => !sidecars.has(nameOf(c)));
    return (app.length ? app : running).map((c) => ({ type: 'kill' as const, container: nameOf(c), id: c.id, graceSeconds: grace, reason: 'Deleting' as const }));
  }
  return [...input.containers.map((c) => ({ type: 'remove' as const, id: c.id })), { type: 'confirm-deletion' }];
}

function gracePeriod(pod: KubeObject): number {
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}
