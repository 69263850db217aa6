// The container runtime interface the agent drives. Two real implementations: Docker (./docker/)
// and a simulated in-memory runtime (./sim.ts) for scale tests and benchmarks. The agent finds its
// containers by label, never by remembering them, so it recovers after a restart.
import type { Readable } from 'node:stream';

/** Labels that tie a container to its pod and node (names follow the kubelet's docker labels). */
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
export const LABEL_NODE_NAME = 'dev.skiff.node';
/** Hash of the container spec it was created from; a changed spec means a new container. */
export const LABEL_SPEC_HASH = 'dev.skiff.spec-hash';
/** How many times this container of this pod has been restarted before (restartCount at creation). */
export const LABEL_RESTART_COUNT = 'dev.skiff.restart-count';

export interface PortBinding {
  containerPort: number;
  protocol: 'TCP' | 'UDP';
  hostIP: string;
  hostPort: number;
}

/** A volume mounted into a container: a host directory or file (bind) or a runtime volume by name. */
export interface Mount {
  type: 'bind' | 'volume';
  /** The host path (bind) or the runtime's volume name (volume). */
  source: string;
  /** The path inside the container. */
  target: string;
  readOnly: boolean;
}

export interface ContainerConfig {
  /** Runtime-level name, unique on the host. */
  name: string;
  image: string;
  /** Entrypoint override (Kubernetes `command`). */
  entrypoint?: string[];
  /** Command/args (Kubernetes `args`). */
  args?: string[];
  env: { name: string; value: string }[];
  workingDir?: string;
  labels: Record<string, string>;
  ports: PortBinding[];
  memoryLimitBytes?: number;
  /** CPU limit in units of 1e-9 CPUs. */
  nanoCpus?: number;
  /** Relative CPU weight from the CPU request (1024 = 1 CPU). */
  cpuShares?: number;
  /** The network to join: `container:<id>` (the pod's holder, see network/), `host`; default the engine's. */
  networkMode?: string;
  /** The pod's volumes as this container mounts them (see volumes/). */
  mounts?: Mount[];
  /** The container's security settings (from the pod's and container's securityContext). */
  security?: SecuritySettings;
  /** Keep stdin open for `kubectl attach -i` (Kubernetes `stdin`), closed after the first attach ends (`stdinOnce`). */
  stdin?: boolean;
  stdinOnce?: boolean;
  /** Allocate a terminal (Kubernetes `tty`). */
  tty?: boolean;
  /** Share another container's process namespace: `container:<id>` (an ephemeral container's target). */
  pidMode?: string;
}

/** What a securityContext becomes at the runtime (see container-config/security.ts). */
export interface SecuritySettings {
  /** `uid`, `uid:gid` or the image's user with a group; absent: the image's user. */
  user?: string;
  /** Supplementary group ids (supplementalGroups and fsGroup). */
  groupAdd?: string[];
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  noNewPrivileges?: boolean;
  /** The seccomp profile: the runtime's default, none, or a profile's JSON text. */
  seccomp?: { type: 'RuntimeDefault' } | { type: 'Unconfined' } | { type: 'Localhost'; profile: string };
}

/** Registry credentials for one pull (from an imagePullSecret). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress: string;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  state: ContainerState;
  exitCode?: number;
  /** ISO timestamps; absent when never started / not finished. */
  startedAt?: string;
  finishedAt?: string;
  oomKilled: boolean;
  /** Runtime error text when it could not start, e.g. a missing executable. */
  error?: string;
  ports: PortBinding[];
  /** The container's own address on the engine's network, when it has one (probes use it). */
  ip?: string;
  createdAt: string;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface PullProgress {
  status: string;
  detail?: string;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

export interface AttachOptions {
  stdin: boolean;
  tty: boolean;
}

export interface ExecOptions {
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** A running exec: streams to write to / read from, and the exit code when it ends. */
export interface ExecSession {
  stdin?: NodeJS.WritableStream;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code once the command has finished and its output is drained. */
  exitCode(): Promise<number>;
  resize?(cols: number, rows: number): Promise<void>;
  /** Ends the command if it still runs (its client went away), as containerd's CRI does with SIGKILL. */
  kill(): Promise<void>;
}

/** The container was removed, or is being removed: what it held (its logs) is gone with it. */
export class ContainerGoneError extends Error {}

export class ImageError extends Error {
  readonly reason: 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName';
  constructor(reason: ImageError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface ContainerRuntime {
  readonly name: string;
  /** True when the runtime answers. */
  ping(): Promise<boolean>;
  /** Makes the image present per the pull policy; returns whether it pulled. Throws ImageError. */
  ensureImage(image: string, policy: PullPolicy, onProgress?: (p: PullProgress) => void, auth?: RegistryAuth[]): Promise<{ pulled: boolean }>;
  /** The image's configured user (Dockerfile USER), '' when it has none (root). */
  imageUser(image: string): Promise<string>;
  create(config: ContainerConfig): Promise<string>;
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceSeconds`. Resolves once it has stopped. */
  stop(id: string, graceSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Containers whose labels include every given label (the agent's label filter). */
  list(labels: Record<string, string>): Promise<ContainerInfo[]>;
  inspect(id: string): Promise<ContainerInfo | undefined>;
  /** Throws ContainerGoneError when the container is not there, or is being removed. */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  exec(id: string, opts: ExecOptions): Promise<ExecSession>;
  /**
   * Attaches to a running container's own stdin/stdout/stderr (kubectl attach). The session ends
   * when the container does; its kill() only detaches.
   */
  attach(id: string, opts: AttachOptions): Promise<ExecSession>;
  /**
   * Makes a named volume (idempotent) for a PersistentVolume's data; returns where its data lives
   * on the host (empty when the runtime has no host directory for it).
   */
  ensureVolume(name: string, labels: Record<string, string>): Promise<{ mountpoint: string }>;
  /** Removes a named volume and its data; a missing one is not an error. Fails while in use. */
  removeVolume(name: string): Promise<void>;
  /** Names of the volumes whose labels include every given label. */
  listVolumes(labels: Record<string, string>): Promise<string[]>;
  /** Host resources, for the Node's capacity. */
  info(): Promise<{ cpus: number; memoryBytes: number; os: string; arch: string; kernelVersion: string; osImage: string; runtimeVersion: string }>;
}
