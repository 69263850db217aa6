// A simulated container runtime: a real, in-memory implementation of ContainerRuntime for hollow
// nodes (scale tests and benchmarks, as kubemark does). Containers "run" as timers: they start
// after a configurable latency and run until stopped, unless their script says they exit.
//
// Scripting: a container exits by itself when its env has SIM_EXIT_AFTER_MS (and optionally
// SIM_EXIT_CODE, default 1), or when the runtime's `script` option says so for its config.
// SIM_OOM=1 marks such an exit as OOM-killed (exit code 137).
import { PassThrough, type Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import {
  ContainerGoneError,
  ImageError,
  LABEL_POD_UID,
  type ContainerConfig,
  type ContainerInfo,
  type ContainerRuntime,
  type ExecOptions,
  type ExecSession,
  type LogOptions,
  type PullPolicy,
} from './types.ts';

export interface SimScript {
  /** Exit by itself this long after starting. */
  exitAfterMs?: number;
  exitCode?: number;
  oomKilled?: boolean;
}

export interface SimRuntimeOptions {
  /** Delay of create+start, like a real engine's (default 0). */
  startLatencyMs?: number;
  /** Images that are "present"; any other image is pulled (instantly) unless the policy is Never. */
  images?: string[];
  script?: (config: ContainerConfig) => SimScript | undefined;
  cpus?: number;
  memoryBytes?: number;
}

/**
 * Pod addresses of simulated nodes (hollow nodes have no network, but Endpoints and EndpointSlices
 * at scale need pods with IPs): one per pod, shared by its containers, from 100.64.0.0/10 (shared
 * address space: never a real destination here). Process-wide and sequential, so the hollow nodes
 * of one process never repeat an address; each process starts at a random point, so separate
 * processes (skiff up --runtime sim) rarely do.
 */
let nextPodAddress = randomBytes(3).readUIntBE(0, 3) % (1 << 22);
function allocatePodAddress(): string {
  for (;;) {
    const n = nextPodAddress++ % (1 << 22);
    const last = n & 255;
    if (last !== 0 && last !== 255) return `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${last}`;
  }
}

interface SimContainer {
  info: ContainerInfo;
  config: ContainerConfig;
  logs: string[];
  timer?: NodeJS.Timeout;
}

export class SimRuntime implements ContainerRuntime {
  readonly name = 'sim';
  private readonly containers = new Map<string, SimContainer>();
  private readonly images: Set<string>;
  /** Named volumes: name to labels (a simulated volume has no data and no host directory). */
  private readonly volumes = new Map<string, Record<string, string>>();
  private readonly opts: SimRuntimeOptions;
  /** Pod uid -> its address, while any container of the pod exists. */
  private readonly podAddresses = new Map<string, string>();

  constructor(opts: SimRuntimeOptions = {}) {
    this.opts = opts;
    this.images = new Set(opts.images ?? []);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async ensureImage(image: string, policy: PullPolicy): Promise<{ pulled: boolean }> {
    const present = this.images.has(image);
    if (policy === 'Never' && !present) throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
    if (present && policy !== 'Always') return { pulled: false };
    this.images.add(image);
    return { pulled: true };
  }

  async imageUser(): Promise<string> {
    return '';
  }

  async create(config: ContainerConfig): Promise<string> {
    for (const c of this.containers.values()) {
      if (c.info.name === config.name) throw new Error(`Conflict. The container name "/${config.name}" is already in use`);
    }
    const id = randomBytes(32).toString('hex');
    const uid = config.labels[LABEL_POD_UID];
    let ip: string | undefined;
    if (uid && config.networkMode !== 'host') {
      ip = this.podAddresses.get(uid) ?? allocatePodAddress();
      this.podAddresses.set(uid, ip);
    }
    this.containers.set(id, {
      config,
      logs: [],
      info: {
        id,
        name: config.name,
        image: config.image,
        imageId: `sha256:${Buffer.from(config.image).toString('hex').padEnd(64, '0').slice(0, 64)}`,
        labels: { ...config.labels },
        state: 'created',
        oomKilled: false,
        ports: config.ports.map((p) => ({ ...p })),
        createdAt: new Date().toISOString(),
        ...(ip ? { ip } : {}),
      },
    });
    return id;
  }

  async start(id: string): Promise<void> {
    const c = this.mustGet(id);
    if (this.opts.startLatencyMs) await new Promise((r) => setTimeout(r, this.opts.startLatencyMs));
    c.info = { ...c.info, state: 'running', startedAt: new Date().toISOString(), finishedAt: undefined, exitCode: undefined, oomKilled: false };
    c.logs.push(`${new Date().toISOString()} started ${c.config.image}`);
    const script = this.scriptFor(c.config);
    if (script?.exitAfterMs !== undefined) {
      c.timer = setTimeout(() => this.exit(c, script.exitCode ?? (script.oomKilled ? 137 : 1), script.oomKilled ?? false), script.exitAfterMs);
      c.timer.unref();
    }
  }

  private scriptFor(config: ContainerConfig): SimScript | undefined {
    const custom = this.opts.script?.(config);
    if (custom) return custom;
    const env = new Map(config.env.map((e) => [e.name, e.value]));
    const after = env.get('SIM_EXIT_AFTER_MS');
    if (after === undefined) return undefined;
    const code = env.get('SIM_EXIT_CODE');
    return { exitAfterMs: Number(after), exitCode: code === undefined ? undefined : Number(code), oomKilled: env.get('SIM_OOM') === '1' };
  }

  private exit(c: SimContainer, exitCode: number, oomKilled: boolean): void {
    if (c.timer) clearTimeout(c.timer);
    c.timer = undefined;
    if (c.info.state !== 'running') return;
    c.info = { ...c.info, state: 'exited', exitCode, oomKilled, finishedAt: new Date().toISOString() };
  }

  async stop(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c) this.exit(c, 137, false);
  }

  async remove(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c?.timer) clearTimeout(c.timer);
    this.containers.delete(id);
    const uid = c?.info.labels[LABEL_POD_UID];
    if (uid && ![...this.containers.values()].some((x) => x.info.labels[LABEL_POD_UID] === uid)) this.podAddresses.delete(uid);
  }

  async list(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const want = Object.entries(labels);
    const out: ContainerInfo[] = [];
    for (const c of this.containers.values()) {
      if (want.every(([k, v]) => c.info.labels[k] === v)) out.push(c.info);
    }
    return out;
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    return this.containers.get(id)?.info;
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const c = this.containers.get(id);
    if (!c) throw new ContainerGoneError(`container ${id} was removed`);
    const lines = opts.tailLines !== undefined ? c.logs.slice(-opts.tailLines) : c.logs;
    const out = new PassThrough();
    out.end(lines.map((l) => (opts.timestamps ? l : l.replace(/^\S+ /, ''))).join('\n') + (lines.length ? '\n' : ''));
    return out;
  }

  /**
   * Simulated exec: `echo ARGS` prints them on stdout (`echo ARGS >&2` on stderr); `exit N` (or
   * `sh -c "exit N"`) exits with N; anything else succeeds silently.
   */
  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    const c = this.mustGet(id);
    if (c.info.state !== 'running') throw new Error(`container ${id} is not running`);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const cmd = opts.command[0] === 'sh' && opts.command[1] === '-c' ? (opts.command[2] ?? '').split(/\s+/) : opts.command;
    let code = 0;
    if (cmd[0] === 'echo') {
      const toStderr = cmd[cmd.length - 1] === '>&2' || cmd[cmd.length - 1] === '1>&2';
      (toStderr ? stderr : stdout).write(cmd.slice(1, toStderr ? -1 : undefined).join(' ') + '\n');
    }
    if (cmd[0] === 'exit') code = Number(cmd[1] ?? 0);
    stdout.end();
    stderr.end();
    return { stdout, stderr, exitCode: async () => code, kill: async () => undefined };
  }

  async attach(): Promise<ExecSession> {
    throw new Error('attach is not supported by the simulated runtime: its containers have no streams');
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<{ mountpoint: string }> {
    if (!this.volumes.has(name)) this.volumes.set(name, labels);
    return { mountpoint: '' };
  }

  async removeVolume(name: string): Promise<void> {
    const inUse = [...this.containers.values()].some((c) => (c.config.mounts ?? []).some((m) => m.type === 'volume' && m.source === name));
    if (inUse) throw new Error(`remove ${name}: volume is in use`);
    this.volumes.delete(name);
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    return [...this.volumes].filter(([, l]) => Object.entries(labels).every(([k, v]) => l[k] === v)).map(([n]) => n);
  }

  async info() {
    return {
      cpus: this.opts.cpus ?? 4,
      memoryBytes: this.opts.memoryBytes ?? 16 * 1024 ** 3,
      os: 'linux',
      arch: 'amd64',
      kernelVersion: 'sim',
      osImage: 'skiff simulated node',
      runtimeVersion: 'sim://0.1.0',
    };
  }

  /** Test hook for chaos: kill a container as if it crashed. */
  crash(id: string, exitCode = 1): void {
    const c = this.containers.get(id);
    if (c) this.exit(c, exitCode, false);
  }

  private mustGet(id: string): SimContainer {
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error(`no such container: ${id}`), { statusCode: 404 });
    return c;
  }
}
