// The agent's local-storage eviction loop (the kubelet's eviction manager, for emptyDir sizeLimit
// only): every interval, measure the disk emptyDirs that have a sizeLimit in the pods this node
// runs, and hand a pod whose usage passed a limit to its worker to evict. One pass at a time;
// the next starts `intervalMs` after the last ended (the kubelet's monitoring period is 10 s).
import type { KubeObject } from '@skiff/api';
import { measureDiskUsage } from './disk-usage.ts';
import { computeEmptyDirEviction, isActive, limitedEmptyDirs, type Eviction } from './plan.ts';

/** A pod set up on this node and where each of its volumes lives on the host. */
export interface MeasuredPod {
  pod: KubeObject;
  volumeDir(volume: string): string;
}

export interface EmptyDirMonitorOptions {
  intervalMs: number;
  /** Most entries read per volume and pass: bounds the cost of one measurement. */
  maxEntries?: number;
  pods(): MeasuredPod[];
  evict(pod: KubeObject, eviction: Eviction): void;
  log(message: string): void;
}

export class EmptyDirMonitor {
  private readonly o: EmptyDirMonitorOptions;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private pass: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();

  constructor(o: EmptyDirMonitorOptions) {
    this.o = o;
  }

  start(): void {
    this.schedule();
  }

  /** Ends the loop; resolves once a pass in flight has ended. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.pass;
  }

  /** One pass over every pod (exported for tests and for the loop). */
  async runOnce(): Promise<void> {
    for (const { pod, volumeDir } of this.o.pods()) {
      if (this.stopped) return;
      if (!isActive(pod)) continue;
      const usage = new Map<string, number>();
      for (const d of limitedEmptyDirs(pod)) {
        const u = await measureDiskUsage(volumeDir(d.volume), { stopAbove: d.limitBytes, maxEntries: this.o.maxEntries ?? 100_000 });
        usage.set(d.volume, u.bytes);
        const key = `${pod.metadata.uid}/${d.volume}`;
        if (u.partial && u.bytes <= d.limitBytes && !this.warned.has(key)) {
          this.warned.add(key);
          this.o.log(`emptyDir "${d.volume}" of pod ${pod.metadata.namespace}/${pod.metadata.name} has more than ${u.entries} entries: only those are counted against its sizeLimit`);
        }
      }
      const eviction = computeEmptyDirEviction(pod, usage);
      if (eviction) this.o.evict(pod, eviction);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.runOnce()
        .catch((err: Error) => this.o.log(`measuring emptyDir usage failed: ${err.message}`))
        .finally(() => this.schedule());
    }, this.o.intervalMs);
    this.timer.unref();
  }
}
