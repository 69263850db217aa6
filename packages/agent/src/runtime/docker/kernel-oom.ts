// OOM kills as the kernel logs them (/dev/kmsg), for what Docker's OOMKilled flag misses. Docker
// 20.10 (Debian's, cgroup v1) loses the flag when its OOM event and the container's exit race:
// measured here, 3 of 16 containers killed by their memory limit, four at a time, read OOMKilled
// false for good, though the kernel had logged each kill. The kernel's "oom-kill:" record names
// the killed task's memory cgroup, and its last part is the container's id (/docker/<id>, or
// /system.slice/docker-<id>.scope with the systemd driver); cadvisor reads the same records for
// the kubelet's OOM events. The log is read without blocking (O_NONBLOCK), only when a container
// has exited with 137 and Docker does not say OOMKilled, so no thread ever waits on it.
// Best effort, as cadvisor's: the kernel prints this record with the rest of its OOM report,
// which it rate-limits (ten reports in five seconds, machine-wide), and the log is a ring that
// other messages overwrite; a kill whose record is missing is known from Docker's flag alone.
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** Pure: the id of the container an "oom-kill:" kernel log record names as the killed task's cgroup, if any. */
export function oomKilledContainer(record: string): string | undefined {
  const memcg = /(?:^|;)oom-kill:.*?\btask_memcg=([^,\n]*)/.exec(record)?.[1];
  return memcg === undefined ? undefined : /([0-9a-f]{64})(?:\.scope)?$/.exec(memcg)?.[1];
}

/** Ids remembered at most (oldest forgotten first): containers are looked at soon after they exit. */
const REMEMBERED = 4096;

export class KernelOomLog {
  readonly #path: string;
  readonly #log: ((msg: string) => void) | undefined;
  #fd: number | undefined;
  #unavailable = false;
  /** Containers the kernel said it OOM-killed, oldest first. */
  readonly #killed = new Set<string>();
  /** One record is at most about 1 KiB; a larger buffer than that, as dmesg's. */
  readonly #buf = Buffer.alloc(8192);

  constructor(path = '/dev/kmsg', log?: (msg: string) => void) {
    this.#path = path;
    this.#log = log;
  }

  /** Whether the kernel has logged an OOM kill in container `id` (what it logged since the last look is read first). */
  killed(id: string): boolean {
    this.#drain();
    return this.#killed.has(id);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #drain(): void {
    if (this.#unavailable) return;
    if (this.#fd === undefined) {
      try {
        this.#fd = openSync(this.#path, constants.O_RDONLY | constants.O_NONBLOCK);
      } catch (e) {
        this.#giveUp(e);
        return;
      }
    }
    for (;;) {
      let n: number;
      try {
        n = readSync(this.#fd, this.#buf, 0, this.#buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return; // read up to the newest record
        if (code === 'EPIPE') continue; // records overwritten before they were read: go on from the oldest kept
        this.#giveUp(e);
        return;
      }
      if (n === 0) return;
      const id = oomKilledContainer(this.#buf.toString('utf8', 0, n));
      if (id === undefined) continue;
      this.#killed.delete(id);
      this.#killed.add(id);
      if (this.#killed.size > REMEMBERED) this.#killed.delete(this.#killed.values().next().value!);
    }
  }

  #giveUp(e: unknown): void {
    this.#unavailable = true;
    this.close();
    this.#log?.(`cannot read the kernel log ${this.#path} (${(e as Error).message}): OOM kills are known from Docker's OOMKilled flag alone`);
  }
}
