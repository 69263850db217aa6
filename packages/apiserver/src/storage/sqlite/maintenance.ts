// Background upkeep: compaction of the change log and WAL checkpoints. Kine's failure modes are
// the design brief here — compaction that takes long locks and then never finishes, and a WAL
// that grows without bound because checkpoints never get a quiet moment. So: compaction is a
// sequence of small range deletes (one short transaction each, yielding to the event loop in
// between) toward a target fixed when the run starts, so every run terminates; and the WAL is
// truncated whenever a maintenance period saw no writes, or forcibly once it passes walMaxBytes.
// (While writes go on, the writer itself truncates it past walMaxBytes after a commit, which is
// what bounds it during a burst: storage.ts #boundWal.)
import type { ResolvedOptions } from './options.ts';

export interface MaintenanceTarget {
  readonly closed: boolean;
  currentRevision(): number;
  compactedRevision(): number;
  compactStep(target: number, batch: number): number;
  checkpoint(): { busy: boolean; walBytes: number };
  takeWriteCount(): number;
  stats(): { walBytes: number };
  freePages(): number;
  vacuumStep(pages: number): number;
}

/** Free pages tolerated before vacuuming (4 MiB), and pages returned per step (a few ms each). */
const VACUUM_THRESHOLD_PAGES = 1024;
const VACUUM_STEP_PAGES = 1000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Maintenance {
  readonly #t: MaintenanceTarget;
  readonly #o: ResolvedOptions;
  readonly #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #ticking = false;

  constructor(target: MaintenanceTarget, o: ResolvedOptions) {
    this.#t = target;
    this.#o = o;
    if (o.maintenanceIntervalMs > 0) {
      this.#timer = setInterval(() => void this.#tick(), o.maintenanceIntervalMs);
      this.#timer.unref();
    }
  }

  /** One compaction run at a time; concurrent callers share it. */
  compact(): Promise<number> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Returns the pages compaction freed to the filesystem, in steps that yield to the event loop. */
  async vacuum(): Promise<void> {
    while (!this.#t.closed && this.#t.freePages() > VACUUM_THRESHOLD_PAGES) {
      const before = this.#t.freePages();
      if (this.#t.vacuumStep(VACUUM_STEP_PAGES) >= before) return; // no progress (busy): next period
      await yieldToEventLoop();
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  async #run(): Promise<number> {
    const target = this.#t.currentRevision() - this.#o.retainRevisions;
    while (!this.#t.closed && this.#t.compactedRevision() < target) {
      this.#t.compactStep(target, this.#o.compactBatchSize);
      await yieldToEventLoop();
    }
    return this.#t.closed ? -1 : this.#t.compactedRevision();
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#t.closed) return;
    this.#ticking = true;
    try {
      const writes = this.#t.takeWriteCount();
      await this.compact();
      await this.vacuum();
      if (this.#t.closed) return;
      const wal = this.#t.stats().walBytes;
      if ((writes === 0 && wal > 0) || wal > this.#o.walMaxBytes) this.#t.checkpoint();
    } catch (err) {
      this.#o.onMaintenanceError(err);
    } finally {
      this.#ticking = false;
    }
  }
}
