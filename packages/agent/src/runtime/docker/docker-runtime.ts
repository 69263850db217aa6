// The Docker implementation of the container runtime, through dockerode (Docker Engine API).
import Docker from 'dockerode';
import { PassThrough, Writable, type Readable } from 'node:stream';
import {
  ContainerGoneError,
  ImageError,
  type ContainerConfig,
  type ContainerInfo,
  type ContainerRuntime,
  type AttachOptions,
  type ExecOptions,
  type ExecSession,
  type LogOptions,
  type PullPolicy,
  type PullProgress,
  type RegistryAuth,
} from '../types.ts';
import { demuxBuffer, demuxMerged, demuxStream } from './demux.ts';
import { killExecProcess } from './exec-kill.ts';
import { toContainerInfo, toCreateOptions } from './mapping.ts';
import { KernelOomLog } from './kernel-oom.ts';

export interface DockerRuntimeOptions {
  /** Path of the engine's socket; dockerode's default (DOCKER_HOST or /var/run/docker.sock) when absent. */
  socketPath?: string;
  /** Where OOM kills Docker's flag missed are read from (./kernel-oom.ts); default /dev/kmsg. */
  kernelLog?: KernelOomLog;
  /** Where the runtime says what it cannot do (the kernel log unreadable). */
  log?: (msg: string) => void;
}

export class DockerRuntime implements ContainerRuntime {
  readonly name = 'docker';
  private readonly docker: Docker;
  /** Last inspection of each container, with the summary state it was taken in. */
  private readonly inspected = new Map<string, { state: string; info: ContainerInfo }>();
  private readonly kernelLog: KernelOomLog;

  constructor(opts: DockerRuntimeOptions = {}) {
    this.docker = opts.socketPath ? new Docker({ socketPath: opts.socketPath }) : new Docker();
    this.kernelLog = opts.kernelLog ?? new KernelOomLog('/dev/kmsg', opts.log);
  }

  /** The engine's client, for the pod network (networks and holder containers, see network/). */
  get engine(): Docker {
    return this.docker;
  }

  async ping(): Promise<boolean> {
    try {
      await this.docker.ping();
      return true;
    } catch {
      return false;
    }
  }

  async ensureImage(image: string, policy: PullPolicy, onProgress?: (p: PullProgress) => void, auth: RegistryAuth[] = []): Promise<{ pulled: boolean }> {
    const present = await this.imagePresent(image);
    if (policy === 'Never') {
      if (!present) throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
      return { pulled: false };
    }
    if (present && policy === 'IfNotPresent') return { pulled: false };
    // Announce the pull before it starts (the Pulling event), even if it fails before any progress.
    onProgress?.({ status: 'Pulling' });
    // As the kubelet: each matching credential in turn until one pull succeeds; none: anonymous.
    let last: Error | undefined;
    for (const authconfig of auth.length ? auth : [undefined]) {
      try {
        await this.pull(image, authconfig, onProgress);
        return { pulled: true };
      } catch (err) {
        last = err as Error;
      }
    }
    // With Always, a local image that cannot be refreshed is an error, as in Kubernetes.
    throw new ImageError('ErrImagePull', `failed to pull image "${image}": ${last?.message}`);
  }

  private async pull(image: string, authconfig: RegistryAuth | undefined, onProgress?: (p: PullProgress) => void): Promise<void> {
    const stream = await this.docker.pull(image, authconfig ? { authconfig } : {});
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (e: { status?: string; progress?: string }) => onProgress?.({ status: e.status ?? '', detail: e.progress }),
      );
    });
  }

  async imageUser(image: string): Promise<string> {
    const info = await this.docker.getImage(image).inspect();
    return info.Config?.User ?? '';
  }

  private async imagePresent(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw err;
    }
  }

  async create(config: ContainerConfig): Promise<string> {
    const c = await this.docker.createContainer(toCreateOptions(config));
    return c.id;
  }

  async start(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    this.inspected.delete(id);
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(graceSeconds)) });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 304 && code !== 404) throw err; // 304: already stopped; 404: already gone
    }
  }

  async remove(id: string): Promise<void> {
    this.inspected.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code !== 404 && code !== 409) throw err; // 409: removal already in progress
    }
  }

  async list(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const summaries = await this.docker.listContainers({
      all: true,
      filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
    });
    // Inspect only containers whose state changed since the last look: listing is then one call.
    const infos = await Promise.all(
      summaries.map(async (s) => {
        const cached = this.inspected.get(s.Id);
        if (cached && cached.state === s.State) return cached.info;
        const info = await this.inspect(s.Id);
        if (info && !oomMayFollow(info, Date.now())) this.inspected.set(s.Id, { state: s.State, info });
        return info;
      }),
    );
    // A cached container this filter would have listed but the engine no longer has was removed
    // behind the agent's back (docker rm): forget it, or the cache grows without bound.
    const listed = new Set(summaries.map((s) => s.Id));
    const filter = Object.entries(labels);
    for (const [id, { info }] of this.inspected) {
      if (!listed.has(id) && filter.every(([k, v]) => info.labels[k] === v)) this.inspected.delete(id);
    }
    return infos.filter((i): i is ContainerInfo => i !== undefined);
  }

  /** How many inspections are cached (tests check that the cache does not only grow). */
  get cachedInspections(): number {
    return this.inspected.size;
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    try {
      const info = toContainerInfo(await this.docker.getContainer(id).inspect());
      // Killed (137) and not marked OOMKilled: the kernel's log says whether its memory limit did it.
      if (info.state === 'exited' && info.exitCode === 137 && !info.oomKilled && this.kernelLog.killed(info.id)) info.oomKilled = true;
      return info;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const base = {
      stdout: true,
      stderr: true,
      timestamps: opts.timestamps ?? false,
      tail: opts.tailLines !== undefined ? opts.tailLines : ('all' as unknown as number),
      since: opts.sinceSeconds ? Math.max(0, Math.floor(Date.now() / 1000) - opts.sinceSeconds) : 0,
    };
    const container = this.docker.getContainer(id);
    try {
      if (opts.follow) {
        const raw = (await container.logs({ ...base, follow: true })) as unknown as Readable;
        raw.on('error', () => undefined); // ends the merged stream (demuxMerged); nothing to report
        return demuxMerged(raw);
      }
      const buf = (await container.logs({ ...base, follow: false })) as unknown as Buffer;
      const out = new PassThrough();
      out.end(Buffer.concat(demuxBuffer(buf).map((p) => p.data)));
      return out;
    } catch (err) {
      throw isGone(err) ? new ContainerGoneError(`container ${id} was removed`) : err;
    }
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    const exec = await this.docker.getContainer(id).exec({
      Cmd: opts.command,
      AttachStdin: opts.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: opts.tty,
    });
    const stream = (await exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty })) as unknown as NodeJS.ReadWriteStream & Readable;
    // The engine's connection may reset (dockerd restarting): that ends the session, it must not
    // crash the agent (an 'error' without a listener would). With a TTY the stream is stdout itself.
    stream.on('error', () => stream.destroy());
    const { stdout, stderr, ended } = sessionStreams(stream, opts.tty);
    return {
      stdin: opts.stdin ? stream : undefined,
      stdout,
      stderr,
      exitCode: async () => {
        await ended;
        // The exit code is recorded a moment after the output stream closes.
        for (let i = 0; i < 50; i++) {
          const info = await exec.inspect();
          if (!info.Running && info.ExitCode !== null) return info.ExitCode;
          await new Promise((r) => setTimeout(r, 20));
        }
        return (await exec.inspect()).ExitCode ?? 1;
      },
      resize: opts.tty ? (cols, rows) => exec.resize({ w: cols, h: rows }) : undefined,
      kill: async () => {
        const info = await exec.inspect().catch(() => undefined);
        if (info?.Running) await killExecProcess(info.Pid, id);
        stream.destroy();
      },
    };
  }

  async attach(id: string, opts: AttachOptions): Promise<ExecSession> {
    const container = this.docker.getContainer(id);
    const stdinOnce = opts.stdin && (await container.inspect()).Config.StdinOnce === true;
    const stream = (await container.attach({ stream: true, hijack: true, stdin: opts.stdin, stdout: true, stderr: true })) as unknown as NodeJS.ReadWriteStream & Readable;
    stream.on('error', () => stream.destroy());
    const { stdout, stderr, ended } = sessionStreams(stream, opts.tty);
    // The client's end of stdin: with stdinOnce it closes the container's stdin (the engine does
    // that on the half-close). Without, the container's stdin stays open, as the kubelet leaves
    // it, and the engine would end the whole attach on the half-close, output that is still to
    // come included: so the attach only stops sending.
    const stdin = !opts.stdin ? undefined : stdinOnce ? stream : new Writable({ write: (chunk: Buffer, _enc, cb) => void stream.write(chunk, () => cb()) });
    return {
      stdin,
      stdout,
      stderr,
      exitCode: async () => {
        await ended;
        return (await this.inspect(id))?.exitCode ?? 0;
      },
      resize: opts.tty ? (cols, rows) => container.resize({ w: cols, h: rows }) : undefined,
      // Detach: the container goes on running, as after kubectl attach is interrupted.
      kill: async () => {
        stream.destroy();
      },
    };
  }

  async ensureVolume(name: string, labels: Record<string, string>): Promise<{ mountpoint: string }> {
    // Creating a volume that exists returns it (the engine's create is idempotent for the local driver).
    const v = (await this.docker.createVolume({ Name: name, Labels: labels })) as unknown as { Mountpoint?: string };
    return { mountpoint: v.Mountpoint ?? '' };
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    const r = await this.docker.listVolumes({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } });
    return (r.Volumes ?? []).map((v) => v.Name);
  }

  async info() {
    const i = await this.docker.info();
    return {
      cpus: i.NCPU as number,
      memoryBytes: i.MemTotal as number,
      os: (i.OSType as string) ?? 'linux',
      arch: normaliseArch(i.Architecture as string),
      kernelVersion: i.KernelVersion as string,
      osImage: i.OperatingSystem as string,
      runtimeVersion: `docker://${i.ServerVersion as string}`,
    };
  }
}

function normaliseArch(a: string): string {
  return a === 'x86_64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a;
}

/**
 * The output of an exec or attach session: with a terminal the stream is stdout itself (stderr is
 * empty); without, stdout and stderr are multiplexed on it. `ended` settles when the stream ends.
 */
function sessionStreams(stream: Readable, tty: boolean | undefined): { stdout: Readable; stderr: Readable; ended: Promise<void> } {
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
  });
  if (!tty) return { ...demuxStream(stream), ended };
  const stderr = new PassThrough();
  stderr.end();
  return { stdout: stream, stderr, ended };
}

/** How long after a SIGKILLed container's exit Docker may still mark it OOMKilled. */
const OOM_FLAG_WINDOW_MS = 10_000;

/**
 * Whether a later inspection may say more than this one: Docker learns of a cgroup OOM kill from
 * an event of its own, which on a busy machine can come after the container's exit has been
 * recorded, so an exit with 137 (SIGKILL) reads OOMKilled false for a moment, then true (seen in
 * CI: the pod's status said Error where the kernel had OOM-killed it). Such an inspection is not
 * cached for a while after the exit, so that the next listing looks again. Docker can also lose the
 * flag for good (./kernel-oom.ts); inspect() then asks the kernel's log, and this window is what
 * is left where that log cannot be read.
 */
export function oomMayFollow(info: ContainerInfo, now: number): boolean {
  if (info.state !== 'exited' || info.exitCode !== 137 || info.oomKilled) return false;
  const finished = info.finishedAt ? Date.parse(info.finishedAt) : NaN;
  return !(now - finished > OOM_FLAG_WINDOW_MS);
}

/** Docker's answer for a container that is not there (404), or that it is removing (409, "dead or marked for removal"). */
function isGone(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: string };
  return e.statusCode === 404 || (e.statusCode === 409 && /dead or marked for removal/.test(e.message ?? ''));
}
