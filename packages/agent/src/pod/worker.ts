// One worker per pod on this node: drives the pod's containers toward its spec and reports its
// status. Syncs are serialised per pod; triggers (pod changes, probe verdicts, container exits,
// back-off timers) merge into one pending sync. Each sync re-reads the runtime (level-triggered).
import { HOST_PORTS_ANNOTATION, PODS, formatTime } from '@skiff/api';
import type { KubeObject } from '@skiff/api';
import { isConflict, isNotFound, type RestClient , type EventRecorder } from '@skiff/client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageError, LABEL_CONTAINER_NAME, LABEL_POD_UID, type ContainerConfig, type ContainerInfo, type ContainerRuntime, type PullPolicy } from '../runtime/types.ts';
import { ContainerConfigError } from '../container-config/env.ts';
import { HookError, runHook } from '../container-config/hooks.ts';
import { selectPullCredentials } from '../container-config/pull-secrets.ts';
import { CreateContainerError, effectiveSecurityContext } from '../container-config/security.ts';
import { trimPodMessages } from '../container-config/termination-message.ts';
import type { ProjectedObjects } from '../volumes/objects.ts';
import { snapshotReferences } from '../container-config/references.ts';
import { prepareTerminationFile, readTerminationMessage, removePodFiles, writePodResolvConf } from './pod-files.ts';
import type { ProbeManager } from '../probe/manager.ts';
import { backoffDelay, crashLoopDelay, type BackoffPolicy } from './backoff.ts';
import { buildContainerConfig, portKey, type ContainerSpec } from './container-config.ts';
import { fingerprint, groupByContainer } from './observed.ts';
import { planPodSync, type PodAction } from './plan.ts';
import { isSidecar } from './last-run.ts';
import type { PortAllocator } from './ports.ts';
import { computePodStatus, type ContainerWaiting } from './status.ts';
import { formatDuration } from './duration.ts';
import { LABEL_SANDBOX_ID, type PodNetwork, type PodSandbox } from '../network/types.ts';
import { PodVolumes } from '../volumes/pod-volumes.ts';
import type { VolumeManager } from '../volumes/manager.ts';
import { describeDrain, drainLimitMs } from '../proxy/drain.ts';
import type { EndpointDrain } from '../proxy/endpoint-drain.ts';
import { EVICTION_GRACE_SECONDS, recordedEviction, type Eviction } from '../eviction/plan.ts';

/** Where the agent tells users which host address serves each container port. */
export { HOST_PORTS_ANNOTATION };

export interface WorkerDeps {
  runtime: ContainerRuntime;
  client: RestClient;
  nodeName: string;
  nodeIP: string;
  probes: ProbeManager;
  ports: PortAllocator;
  events: Pick<EventRecorder, 'record'>;
  backoff: BackoffPolicy;
  /** The node's pod network (holders, pod IPs); absent on runtimes without networking (sim). */
  network?: PodNetwork;
  /** Holds a deleted pod's stop signal until no proxy sends it new connections; absent without a pod network. */
  drain?: EndpointDrain;
  volumes: VolumeManager;
  /** ConfigMaps and Secrets (env, envFrom, imagePullSecrets). */
  objects: ProjectedObjects;
  /** The node's allocatable resources (resourceFieldRef of an unset limit). */
  allocatable(): Readonly<Record<string, string>>;
  /** The Service variables of a pod in `namespace` (throws ContainerConfigError until Services are known). */
  serviceEnv(namespace: string, enableServiceLinks: boolean): ReadonlyMap<string, string>;
  /** The agent's directory on the host (termination message files, seccomp profiles). */
  rootDir: string;
  /** The pod is gone from the API and the node: drop this worker. */
  onFinished(key: string): void;
  log(message: string): void;
}

export class PodWorker {
  readonly key: string;
  private pod: KubeObject;
  private readonly deps: WorkerDeps;
  private running = false;
  /** Containers this worker has removed (a sync acts on one listing: later removals must not count them). */
  private readonly removed = new Set<string>();
  /** The sync loop in flight (never rejects). */
  private current: Promise<void> = Promise.resolve();
  private dirty = false;
  private finished = false;
  /** The pod was removed from the API (force delete): stop everything, confirm nothing. */
  private gone = false;
  private triggeredOnce = false;
  private readonly waiting = new Map<string, ContainerWaiting>();
  /** The pod's containers as this worker's last listing saw them (./observed.ts fingerprint). */
  private seen?: string;
  /** Host ports this worker chose, by `container/containerPort/PROTOCOL`, until they are released. */
  private readonly hostPortsGiven = new Map<string, number>();
  private readonly imageRetry = new Map<string, { count: number; at: number }>();
  private readonly backoffAnnounced = new Map<string, number>();
  private wakeAt = Infinity;
  private timer?: NodeJS.Timeout;
  private lastStatus?: Record<string, unknown>;
  private lastStatusJson?: string;
  private lastHostPorts?: string;
  /** The pod's network holder as of this sync. */
  private sandbox?: PodSandbox;
  private readonly volumes: PodVolumes;
  /** A running container's own address, as of the last sync (pods without a holder). */
  private containerIP?: string;
  /** Termination messages read from exited containers, by container id (they never change). */
  private readonly messages = new Map<string, string>();
  /** This agent evicted the pod (emptyDir over its sizeLimit); after a restart the pod's status says so. */
  private eviction?: Eviction;
  /** The evicted pod's volumes have been released. */
  private volumesReleased = false;
  /** The deleted pod's endpoint has left the proxies' rules (or the wait for it ended). */
  private drained = false;

  constructor(key: string, pod: KubeObject, deps: WorkerDeps) {
    this.key = key;
    this.pod = pod;
    this.deps = deps;
    this.volumes = new PodVolumes(deps.volumes);
  }

  /** The pod as this worker last heard of it. */
  get object(): KubeObject {
    return this.pod;
  }

  get uid(): string | undefined {
    return this.pod.metadata.uid;
  }

  /**
   * The pod's containers as its last sync listed them: the agent's relist wakes the worker when
   * the runtime holds anything else (undefined before the first sync).
   */
  get observed(): string | undefined {
    return this.seen;
  }

  /** Where the pod's ports listen: its holder's IP, or (without a pod network) a running container's. */
  get address(): string | undefined {
    return this.sandbox?.ip ?? this.containerIP;
  }

  /**
   * A new version of the pod. Only a change the worker acts on (the spec, which moves the
   * generation, or the deletion fields) wakes it; the many others, its own status writes above
   * all, just replace the cached object.
   */
  update(pod: KubeObject): void {
    const old = this.pod;
    this.pod = pod;
    if (!this.triggeredOnce || needsSync(old, pod)) {
      this.triggeredOnce = true;
      this.trigger();
    }
  }

  /** A ConfigMap or Secret it projects, or its own metadata, changed: rewrite its volumes' files. */
  refreshVolumes(): void {
    this.volumes.wantRefresh();
    this.trigger();
  }

  /**
   * Evicts the pod, as the kubelet's eviction manager does: its containers are stopped within
   * EVICTION_GRACE_SECONDS and never started again, its phase becomes Failed with the reason
   * Evicted, and its volumes are released. The pod object stays (a controller replaces it).
   */
  evict(eviction: Eviction): void {
    if (this.eviction || this.pod.metadata.deletionTimestamp) return;
    this.eviction = eviction;
    this.deps.log(`evicting pod ${this.key}: ${eviction.message}`);
    this.deps.events.record(this.pod, 'Warning', 'Evicted', eviction.message);
    this.trigger();
  }

  /** The API object is gone: tear down the containers. */
  podGone(): void {
    this.gone = true;
    this.trigger();
  }

  trigger(): void {
    if (this.finished) return;
    this.dirty = true;
    if (!this.running) this.current = this.run();
  }

  /** No more syncs; resolves once the one in flight (if any) has ended. */
  stop(): Promise<void> {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    return this.current;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty && !this.finished) {
        this.dirty = false;
        try {
          await this.sync();
        } catch (err) {
          this.deps.log(`sync of pod ${this.key} failed (retrying): ${(err as Error).message}`);
          this.wakeIn(1000);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async sync(): Promise<void> {
    const pod = this.gone ? { ...this.pod, metadata: { ...this.pod.metadata, deletionTimestamp: formatTime() } } : this.pod;
    let containers = await this.listContainers(pod);
    this.sandbox = await this.deps.network?.find(pod);
    this.rememberHostPorts(containers);
    this.syncProbes(pod, containers);
    const now = Date.now();
    const unhealthy = new Set(containers.filter((c) => c.state === 'running' && this.deps.probes.isUnhealthy(c.id)).map((c) => c.id));
    const evicted = pod.metadata.deletionTimestamp ? undefined : (this.eviction ?? recordedEviction(pod));
    // Volumes first, as the kubelet: no container starts until every volume of the pod is ready.
    if (!pod.metadata.deletionTimestamp && !evicted) {
      const retryIn = await this.volumes.prepare(pod, (type, reason, message) => this.deps.events.record(pod, type, reason, message));
      if (retryIn !== undefined) {
        this.wakeIn(retryIn);
        return this.writeStatus(pod, containers);
      }
    }
    const notStarted = new Set(containers.filter((c) => c.state === 'running' && !this.deps.probes.isStarted(c.id)).map((c) => c.id));
    const sandboxId = this.deps.network ? (this.sandbox?.id ?? 'none') : undefined;
    const actions = planPodSync({ pod: this.reported(pod), containers, now, backoff: this.deps.backoff, unhealthy, notStarted, sandboxId, evicted: evicted && { graceSeconds: EVICTION_GRACE_SECONDS } });
    let changed = false;
    // Kills run together (each within its grace period, preStop hooks first), as the kubelet does.
    let kills = actions.filter((a) => a.type === 'kill');
    if (kills.some((k) => k.reason === 'Deleting') && !this.gone && !this.drained) kills = await this.drainEndpoint(pod, kills);
    if (kills.length) changed = (await Promise.all(kills.map((a) => this.act(pod, a, containers)))).some(Boolean);
    for (const a of actions) {
      if (a.type === 'kill') continue;
      if (a.type === 'confirm-deletion') return this.confirmDeletion(pod);
      changed = (await this.act(pod, a, containers)) || changed;
    }
    if (changed) {
      containers = await this.listContainers(pod);
      this.syncProbes(pod, containers);
      this.dirty = true; // re-plan until nothing is left to do
    }
    if (evicted && !this.volumesReleased && !containers.some((c) => c.state === 'running' || c.state === 'unknown')) {
      await this.volumes.releaseTerminated(pod.metadata.uid ?? '');
      this.volumesReleased = true;
    }
    if (!this.gone) await this.writeStatus(pod, containers, evicted);
  }

  private async listContainers(pod: KubeObject): Promise<ContainerInfo[]> {
    const containers = await this.deps.runtime.list({ [LABEL_POD_UID]: pod.metadata.uid ?? '' });
    this.seen = fingerprint(containers);
    return containers;
  }

  private async act(pod: KubeObject, a: PodAction, containers: ContainerInfo[]): Promise<boolean> {
    const { runtime, events } = this.deps;
    switch (a.type) {
      case 'start':
        return this.start(pod, a.container, a.init, a.restartCount, containers);
      case 'start-existing':
        await this.startContainer(pod, a.container, a.id);
        return true;
      case 'kill': {
        const why = a.reason === 'LivenessFailed' ? `Container ${a.container} failed liveness probe, will be restarted` : a.reason === 'SpecChanged' ? `Container ${a.container} definition changed, will be restarted` : `Stopping container ${a.container}`;
        events.record(pod, 'Normal', 'Killing', why, fieldPath(pod, a.container));
        await this.kill(pod, a.container, containers.find((c) => c.id === a.id), a.id, a.graceSeconds);
        return true;
      }
      case 'remove': {
        await runtime.remove(a.id);
        // Its host ports go back to the allocator unless another attempt of the pod still holds them.
        this.removed.add(a.id);
        const gone = containers.find((c) => c.id === a.id);
        for (const p of gone?.ports ?? []) {
          const held = containers.some((c) => !this.removed.has(c.id) && c.ports.some((q) => q.hostPort === p.hostPort && q.protocol === p.protocol));
          if (!held) this.releaseHostPort(p.hostPort, p.protocol);
        }
        return true;
      }
      case 'backoff': {
        const delay = a.until - Date.now();
        this.waiting.set(a.container, {
          reason: 'CrashLoopBackOff',
          message: `back-off ${formatDuration(backoffOf(containers, a.container, this.deps.backoff))} restarting failed container=${a.container} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        });
        if (this.backoffAnnounced.get(a.container) !== a.until) {
          this.backoffAnnounced.set(a.container, a.until);
          events.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${a.container} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, fieldPath(pod, a.container));
        }
        this.wakeIn(delay + 5);
        return false;
      }
      default:
        return false;
    }
  }

  private async start(pod: KubeObject, name: string, init: boolean, restartCount: number, containers: ContainerInfo[]): Promise<boolean> {
    const { runtime, events } = this.deps;
    const ephemeral = ((pod.spec?.ephemeralContainers ?? []) as (ContainerSpec & { targetContainerName?: string })[]).find((c) => c.name === name);
    const spec = ephemeral ?? ((init ? pod.spec?.initContainers : pod.spec?.containers) as ContainerSpec[]).find((c) => c.name === name)!;
    const retry = this.imageRetry.get(name);
    if (retry && retry.at > Date.now()) {
      this.wakeIn(retry.at - Date.now() + 5);
      return false;
    }
    const policy: PullPolicy = spec.imagePullPolicy ?? 'IfNotPresent';
    const began = Date.now();
    let announced = false;
    try {
      const { pulled } = await runtime.ensureImage(spec.image, policy, () => {
        if (!announced) events.record(pod, 'Normal', 'Pulling', `Pulling image "${spec.image}"`, fieldPath(pod, name));
        announced = true;
      }, await this.pullCredentials(pod, spec.image));
      events.record(pod, 'Normal', 'Pulled', pulled ? `Successfully pulled image "${spec.image}" in ${((Date.now() - began) / 1000).toFixed(3)}s` : `Container image "${spec.image}" already present on machine`, fieldPath(pod, name));
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      const count = (retry?.count ?? 0) + 1;
      const at = Date.now() + backoffDelay(this.deps.backoff, count - 1);
      this.imageRetry.set(name, { count, at });
      const reason = err.reason === 'ErrImageNeverPull' ? 'ErrImageNeverPull' : count > 1 ? 'ImagePullBackOff' : 'ErrImagePull';
      this.waiting.set(name, { reason, message: err.message });
      events.record(pod, 'Warning', reason === 'ErrImageNeverPull' ? 'ErrImageNeverPull' : 'Failed', err.message, fieldPath(pod, name));
      this.wakeIn(at - Date.now() + 5);
      return false;
    }
    this.imageRetry.delete(name);
    // With a pod network the container joins the pod's holder, which publishes the hostPorts.
    if (this.deps.network) this.sandbox = await this.deps.network.ensure(pod);
    const hostPorts = this.deps.network ? new Map<string, number>() : await this.chooseHostPorts(name, spec, groupByContainer(containers).get(name)?.[0]?.info);
    let config = await this.containerConfig(pod, spec, restartCount, hostPorts);
    if (!config) return false;
    if (this.sandbox && this.deps.network) config = { ...config, ports: [], networkMode: this.sandbox.networkMode, labels: { ...config.labels, [LABEL_SANDBOX_ID]: this.sandbox.id } };
    // An ephemeral container aimed at a container shares its processes (kubectl debug --target).
    const target = ephemeral?.targetContainerName ? groupByContainer(containers).get(ephemeral.targetContainerName)?.[0]?.info : undefined;
    if (target?.state === 'running') config = { ...config, pidMode: `container:${target.id}` };
    if (this.sandbox?.resolvConf !== undefined && !(config.mounts ?? []).some((m) => m.target === '/etc/resolv.conf')) {
      const file = writePodResolvConf(this.deps.rootDir, pod.metadata.uid ?? '', this.sandbox.resolvConf);
      config = { ...config, mounts: [...(config.mounts ?? []), { type: 'bind', source: file, target: '/etc/resolv.conf', readOnly: true }] };
    }
    const id = await runtime.create(config);
    events.record(pod, 'Normal', 'Created', `Created container ${name}`, fieldPath(pod, name));
    if (!(await this.startContainer(pod, name, id))) return true;
    await this.postStart(pod, spec, id);
    return true;
  }

  /**
   * The runtime configuration of one attempt, or undefined (with the container waiting in
   * CreateContainerConfigError or CreateContainerError) when it cannot be made yet. A missing
   * ConfigMap or Secret is retried when it appears (the agent wakes the pods that refer to it).
   */
  private async containerConfig(pod: KubeObject, spec: ContainerSpec, restartCount: number, hostPorts: Map<string, number>): Promise<ContainerConfig | undefined> {
    const { runtime, events } = this.deps;
    const objects = await snapshotReferences(pod, this.deps.objects);
    const sc = effectiveSecurityContext(pod, spec);
    // The image's user matters only for runAsNonRoot and for a group without a user.
    const needsUser = (sc.runAsNonRoot && sc.runAsUser === undefined) || (sc.runAsGroup !== undefined && sc.runAsUser === undefined);
    try {
      const imageUser = needsUser ? await runtime.imageUser(spec.image) : '';
      const terminationMessageFile = spec.terminationMessagePath ? prepareTerminationFile(this.deps.rootDir, pod, spec.name, restartCount) : undefined;
      const { config, envSkipped } = buildContainerConfig({
        pod, spec, nodeName: this.deps.nodeName, nodeIP: this.deps.nodeIP, restartCount, hostPorts, objects,
        serviceEnv: this.deps.serviceEnv(pod.metadata.namespace ?? 'default', pod.spec?.enableServiceLinks !== false),
        allocatable: this.deps.allocatable(), imageUser, terminationMessageFile,
        readSeccompProfile: (name) => this.readSeccompProfile(name),
      });
      // As the kubelet: a mount it cannot prepare (a subPath) holds the container, with the reason.
      config.mounts = [...this.volumes.mountsFor(spec), ...(config.mounts ?? [])];
      for (const s of envSkipped) {
        const what = s.kind === 'configMap' ? 'configMap' : 'secret';
        events.record(pod, 'Warning', 'InvalidEnvironmentVariableNames', `Keys [${s.keys.join(', ')}] from the EnvFrom ${what} ${pod.metadata.namespace}/${s.name} were skipped since they are considered invalid environment variable names.`, fieldPath(pod, spec.name));
      }
      return config;
    } catch (err) {
      const reason = err instanceof CreateContainerError ? 'CreateContainerError' : 'CreateContainerConfigError';
      const message = (err as Error).message;
      this.waiting.set(spec.name, { reason, message });
      events.record(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath(pod, spec.name));
      // A missing object is retried when it appears; anything else (the image's user, a seccomp
      // profile) after the back-off, as the kubelet retries a failed start.
      if (!(err instanceof ContainerConfigError) || !/not found|couldn't find key/.test(message)) this.wakeIn(err instanceof ContainerConfigError || err instanceof CreateContainerError ? this.deps.backoff.baseMs : 2000);
      return undefined;
    }
  }

  /** A Localhost seccomp profile from `<rootDir>/seccomp/`, as the kubelet reads them from its seccomp directory. */
  private readSeccompProfile(name: string): string | undefined {
    if (!name || name.split('/').includes('..')) return undefined;
    try {
      return readFileSync(join(this.deps.rootDir, 'seccomp', name), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The postStart hook; when it fails the container is killed (FailedPostStartHook) and restarted per the policy. */
  private async postStart(pod: KubeObject, spec: ContainerSpec, id: string): Promise<void> {
    const hook = spec.lifecycle?.postStart;
    if (!hook) return;
    const info = await this.deps.runtime.inspect(id);
    try {
      await runHook(hook, { runtime: this.deps.runtime, pod, container: spec, containerId: id, ip: info?.ip });
    } catch (err) {
      if (!(err instanceof HookError)) throw err;
      // The hook's output may hold secrets: it goes into the status, the event only says it failed.
      this.deps.events.record(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed', fieldPath(pod, spec.name));
      this.waiting.set(spec.name, { reason: 'PostStartHookError', message: err.message });
      this.deps.events.record(pod, 'Normal', 'Killing', `FailedPostStartHook`, fieldPath(pod, spec.name));
      await this.deps.runtime.stop(id, gracePeriodOf(pod));
    }
  }

  /**
   * Before a deleted pod's containers get their stop signal: waits (bounded by half the grace
   * period) until no node's proxy sends the pod new connections (../proxy/drain.ts). The kills
   * then have what is left of their grace period.
   */
  private async drainEndpoint(pod: KubeObject, kills: Extract<PodAction, { type: 'kill' }>[]): Promise<Extract<PodAction, { type: 'kill' }>[]> {
    this.drained = true;
    const drain = this.deps.drain;
    if (!drain) return kills;
    const grace = Math.min(...kills.map((k) => k.graceSeconds));
    const began = Date.now();
    const s = await drain.wait(pod, drainLimitMs(grace));
    const waited = Date.now() - began;
    if (s.phase !== 'none') this.deps.log(`pod ${this.key}: ${describeDrain(s)} after ${waited} ms; stopping its containers`);
    const spent = Math.floor(waited / 1000);
    return spent ? kills.map((k) => ({ ...k, graceSeconds: Math.max(Math.min(1, k.graceSeconds), k.graceSeconds - spent) })) : kills;
  }

  /**
   * Stops a container: its preStop hook first (bounded by the grace period), then the stop signal
   * with what is left of the grace period (at least 2 s after a hook, as the kubelet gives).
   */
  private async kill(pod: KubeObject, name: string, info: ContainerInfo | undefined, id: string, graceSeconds: number): Promise<void> {
    const spec = [...((pod.spec?.initContainers ?? []) as ContainerSpec[]), ...((pod.spec?.containers ?? []) as ContainerSpec[])].find((c) => c.name === name);
    const hook = spec?.lifecycle?.preStop;
    let grace = graceSeconds;
    if (spec && hook && grace > 0 && info?.state === 'running') {
      const began = Date.now();
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), grace * 1000);
      try {
        await Promise.race([
          runHook(hook, { runtime: this.deps.runtime, pod, container: spec, containerId: id, ip: info.ip, signal: abort.signal }),
          new Promise((resolve) => abort.signal.addEventListener('abort', resolve)),
        ]);
      } catch (err) {
        if (!(err instanceof HookError)) throw err;
        this.deps.events.record(pod, 'Warning', 'FailedPreStopHook', err.message, fieldPath(pod, name));
      } finally {
        clearTimeout(timer);
      }
      grace = Math.max(2, grace - Math.floor((Date.now() - began) / 1000));
    }
    await this.deps.runtime.stop(id, grace);
  }

  /** Starts a created container; false when the runtime could not. */
  private async startContainer(pod: KubeObject, name: string, id: string): Promise<boolean> {
    try {
      await this.deps.runtime.start(id);
      this.waiting.delete(name);
      this.deps.events.record(pod, 'Normal', 'Started', `Started container ${name}`, fieldPath(pod, name));
      return true;
    } catch (err) {
      // The container stays exited with the runtime's error; the planner restarts it with back-off.
      this.deps.events.record(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, fieldPath(pod, name));
      return false;
    }
  }

  /** Registry credentials from the pod's imagePullSecrets (missing Secrets are skipped, as the kubelet does). */
  private async pullCredentials(pod: KubeObject, image: string) {
    const names = ((pod.spec?.imagePullSecrets ?? []) as { name?: string }[]).map((s) => s.name).filter((n): n is string => !!n);
    if (!names.length) return [];
    const found = await Promise.all(names.map((n) => this.deps.objects.secret(pod.metadata.namespace ?? 'default', n)));
    const secrets = found.filter((s): s is KubeObject => !!s);
    return selectPullCredentials(image, secrets);
  }

  /** Host ports: the spec's hostPort, else the previous attempt's port, else a fresh free one. */
  private async chooseHostPorts(container: string, spec: ContainerSpec, previous: ContainerInfo | undefined): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const p of spec.ports ?? []) {
      const key = portKey(p);
      if (p.hostPort) out.set(key, p.hostPort);
      else {
        // The previous attempt's port, else the one this worker gave before (its container may
        // have been removed behind the agent's back), else a fresh one.
        const before = previous?.ports.find((b) => portKey(b) === key)?.hostPort || this.hostPortsGiven.get(`${container}/${key}`);
        const port = before || (await this.deps.ports.allocate(p.protocol ?? 'TCP'));
        this.hostPortsGiven.set(`${container}/${key}`, port);
        out.set(key, port);
      }
    }
    return out;
  }

  /** Learns the host ports of the containers found (after an agent restart, adopted ones). */
  private rememberHostPorts(containers: ContainerInfo[]): void {
    for (const c of containers) {
      const name = c.labels[LABEL_CONTAINER_NAME];
      for (const p of c.ports) if (p.hostPort && !this.hostPortsGiven.has(`${name}/${portKey(p)}`)) this.hostPortsGiven.set(`${name}/${portKey(p)}`, p.hostPort);
    }
  }

  private releaseHostPort(port: number, protocol: string): void {
    this.deps.ports.release(port, protocol);
    for (const [k, v] of this.hostPortsGiven) if (v === port && k.endsWith(`/${protocol}`)) this.hostPortsGiven.delete(k);
  }

  private syncProbes(pod: KubeObject, containers: ContainerInfo[]): void {
    const specs = new Map([...((pod.spec?.initContainers ?? []) as ContainerSpec[]).filter(isSidecar), ...((pod.spec?.containers ?? []) as ContainerSpec[])].map((c) => [c.name, c]));
    const readyBefore = new Set(((pod.status?.containerStatuses ?? []) as { containerID?: string; ready?: boolean }[]).filter((s) => s.ready && s.containerID).map((s) => s.containerID));
    const running = [];
    for (const c of containers) {
      const name = c.labels['io.kubernetes.container.name'];
      const spec = specs.get(name);
      if (c.state !== 'running' || !spec || pod.metadata.deletionTimestamp) continue;
      this.containerIP = c.ip ?? this.containerIP;
      running.push({ id: c.id, name, ip: this.sandbox?.ip ?? c.ip, startedAt: c.startedAt ? Date.parse(c.startedAt) : Date.now(), wasReady: readyBefore.has(`${this.deps.runtime.name}://${c.id}`), spec: spec as never });
    }
    this.deps.probes.reconcile(this.key, running);
  }

  /** The pod with the status this worker last wrote (the informer's copy may not have it yet). */
  private reported(pod: KubeObject): KubeObject {
    return this.lastStatus ? { ...pod, status: { ...pod.status, ...this.lastStatus } } : pod;
  }

  private async writeStatus(pod: KubeObject, containers: ContainerInfo[], evicted?: Eviction): Promise<void> {
    const { probes } = this.deps;
    const base = this.reported(pod);
    const ready = new Map(containers.map((c) => [c.id, probes.isReady(c.id)]));
    const started = new Map(containers.map((c) => [c.id, probes.isStarted(c.id)]));
    const waiting = new Map(this.waiting);
    const messages = trimPodMessages(await this.terminationMessages(pod, containers));
    // Without a pod network (the simulated runtime) the runtime's address stands, or the node's for hostNetwork.
    const podIP = this.deps.network ? this.sandbox?.ip : pod.spec?.hostNetwork ? this.deps.nodeIP : undefined;
    const status = computePodStatus({ pod: base, containers, now: Date.now(), hostIP: this.deps.nodeIP, runtime: this.deps.runtime.name, ready, started, waiting, messages, podIP, evicted });
    const json = JSON.stringify(status);
    if (json !== this.lastStatusJson) {
      await this.deps.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { status }, 'merge', { subresource: 'status' });
      this.lastStatus = status;
      this.lastStatusJson = json;
    }
    await this.publishHostPorts(pod, containers);
  }

  /** The termination messages of the exited containers, read once each. */
  private async terminationMessages(pod: KubeObject, containers: ContainerInfo[]): Promise<Map<string, string>> {
    const specs = [...((pod.spec?.initContainers ?? []) as ContainerSpec[]), ...((pod.spec?.containers ?? []) as ContainerSpec[])];
    const out = new Map<string, string>();
    for (const c of containers) {
      if (c.state !== 'exited') continue;
      let message = this.messages.get(c.id);
      if (message === undefined) {
        const spec = specs.find((s) => s.name === c.labels[LABEL_CONTAINER_NAME]);
        message = await readTerminationMessage(this.deps.rootDir, this.deps.runtime, c, spec?.terminationMessagePolicy);
        this.messages.set(c.id, message);
      }
      if (message) out.set(c.id, message);
    }
    for (const id of this.messages.keys()) if (!containers.some((c) => c.id === id)) this.messages.delete(id);
    return out;
  }

  /** Tells users where each container port is published, in an annotation (Kubernetes has no field for it). */
  private async publishHostPorts(pod: KubeObject, containers: ContainerInfo[]): Promise<void> {
    const map: Record<string, Record<string, string>> = {};
    for (const [name, list] of groupByContainer(containers)) {
      const latest = list[0].info;
      if (latest.state !== 'running' || latest.ports.length === 0) continue;
      map[name] = Object.fromEntries(latest.ports.map((p) => [portKey(p), `${p.hostIP}:${p.hostPort}`]));
    }
    if (Object.keys(map).length === 0) return;
    const value = JSON.stringify(map);
    if (value === this.lastHostPorts || pod.metadata.annotations?.[HOST_PORTS_ANNOTATION] === value) {
      this.lastHostPorts = value;
      return;
    }
    await this.deps.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { metadata: { annotations: { [HOST_PORTS_ANNOTATION]: value } } }, 'merge');
    this.lastHostPorts = value;
  }

  private async confirmDeletion(pod: KubeObject): Promise<void> {
    this.deps.probes.forgetPod(this.key);
    await this.deps.network?.remove(pod.metadata.uid ?? '');
    // The pod's own volumes (emptyDirs, projected files) go with it, before the API object does.
    await this.volumes.tearDown(pod.metadata.uid ?? '');
    removePodFiles(this.deps.rootDir, pod.metadata.uid ?? '');
    // Ports of containers that vanished without the agent removing them go back now.
    for (const [k, port] of [...this.hostPortsGiven]) this.releaseHostPort(port, k.slice(k.lastIndexOf('/') + 1));
    if (!this.gone) {
      try {
        await this.deps.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err; // already gone, or a new pod of that name
      }
    }
    void this.stop();
    this.deps.onFinished(this.key);
  }

  private wakeIn(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (this.timer && at >= this.wakeAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.wakeAt = Infinity;
      this.trigger();
    }, Math.max(0, ms));
    this.timer.unref();
  }
}

function needsSync(old: KubeObject, pod: KubeObject): boolean {
  const a = old.metadata;
  const b = pod.metadata;
  if (a.uid !== b.uid || a.generation !== b.generation) return true;
  if (a.deletionTimestamp !== b.deletionTimestamp || a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds) return true;
  // Without a generation (an object from elsewhere), compare the spec itself.
  return b.generation === undefined && JSON.stringify(old.spec) !== JSON.stringify(pod.spec);
}

function fieldPath(pod: KubeObject, container: string): string {
  const i = ((pod.spec?.containers ?? []) as { name: string }[]).findIndex((c) => c.name === container);
  if (i >= 0) return `spec.containers{${container}}`;
  const e = ((pod.spec?.ephemeralContainers ?? []) as { name: string }[]).some((c) => c.name === container);
  return e ? `spec.ephemeralContainers{${container}}` : `spec.initContainers{${container}}`;
}

function gracePeriodOf(pod: KubeObject): number {
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}

function backoffOf(containers: ContainerInfo[], name: string, policy: BackoffPolicy): number {
  const latest = groupByContainer(containers).get(name)?.[0];
  return crashLoopDelay(policy, latest?.restartCount ?? 0);
}
