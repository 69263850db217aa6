// Runs the probes of every running container on a timer and keeps their verdicts. The pod worker
// reads the verdicts (ready, started, unhealthy) and is told when one changes.
import type { ContainerRuntime } from '../runtime/types.ts';
import { runProbe, type ProbeSpec } from './prober.ts';
import { EMPTY_TALLY, settingsOf, tally, type ProbeTally } from './thresholds.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbedContainer {
  id: string;
  name: string;
  ip: string | undefined;
  startedAt: number;
  /**
   * The readiness this container last had in the pod's status (an agent restarted adopts running
   * containers: they stay Ready until their probe says otherwise, not NotReady until it first runs).
   */
  wasReady?: boolean;
  spec: { livenessProbe?: ProbeSpec; readinessProbe?: ProbeSpec; startupProbe?: ProbeSpec; ports?: { name?: string; containerPort: number }[] };
}

interface Worker {
  kind: ProbeKind;
  tally: ProbeTally;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

interface Entry {
  podKey: string;
  container: ProbedContainer;
  workers: Map<ProbeKind, Worker>;
}

export interface ProbeManagerOptions {
  runtime: ContainerRuntime;
  /** A verdict changed for a container of this pod: sync it. */
  onChange: (podKey: string) => void;
  /** A probe failed (for the pod's Unhealthy event). */
  onFailure?: (podKey: string, container: string, kind: ProbeKind, message: string) => void;
}

export class ProbeManager {
  private readonly entries = new Map<string, Entry>();
  private readonly opts: ProbeManagerOptions;

  constructor(opts: ProbeManagerOptions) {
    this.opts = opts;
  }

  /** Makes the probed containers of one pod exactly `running`. */
  reconcile(podKey: string, running: ProbedContainer[]): void {
    const ids = new Set(running.map((c) => c.id));
    for (const [id, e] of this.entries) if (e.podKey === podKey && !ids.has(id)) this.drop(id);
    for (const c of running) if (!this.entries.has(c.id)) this.add(podKey, c);
  }

  forgetPod(podKey: string): void {
    this.reconcile(podKey, []);
  }

  /** Readiness: false until the readiness probe first succeeds; true when there is none. */
  isReady(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    if (!this.isStarted(id)) return false;
    const w = e.workers.get('readiness');
    return w ? w.tally.result === true : true;
  }

  isStarted(id: string): boolean {
    const w = this.entries.get(id)?.workers.get('startup');
    return w ? w.tally.result === true : true;
  }

  /** The container should be restarted: its liveness or startup probe has failed. */
  isUnhealthy(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    return e.workers.get('liveness')?.tally.result === false || e.workers.get('startup')?.tally.result === false;
  }

  stop(): void {
    for (const id of [...this.entries.keys()]) this.drop(id);
  }

  private add(podKey: string, c: ProbedContainer): void {
    const workers = new Map<ProbeKind, Worker>();
    const entry: Entry = { podKey, container: c, workers };
    this.entries.set(c.id, entry);
    const probes: [ProbeKind, ProbeSpec | undefined][] = [['startup', c.spec.startupProbe], ['liveness', c.spec.livenessProbe], ['readiness', c.spec.readinessProbe]];
    for (const [kind, spec] of probes) {
      if (!spec) continue;
      const w: Worker = { kind, tally: EMPTY_TALLY, stopped: false };
      workers.set(kind, w);
      if (c.wasReady && kind !== 'liveness') {
        // Ready before implies started: a startup probe has nothing left to do.
        w.tally = { ...EMPTY_TALLY, result: true };
        if (kind === 'startup') {
          w.stopped = true;
          continue;
        }
      }
      const s = settingsOf(spec);
      const firstAt = c.startedAt + s.initialDelaySeconds * 1000;
      this.schedule(entry, w, spec, Math.max(0, firstAt - Date.now()));
    }
  }

  private schedule(entry: Entry, w: Worker, spec: ProbeSpec, delayMs: number): void {
    if (w.stopped) return;
    w.timer = setTimeout(() => void this.tick(entry, w, spec), delayMs);
    w.timer.unref();
  }

  private async tick(entry: Entry, w: Worker, spec: ProbeSpec): Promise<void> {
    const s = settingsOf(spec);
    // Liveness and readiness wait for the startup probe to succeed, as in Kubernetes.
    if (w.kind !== 'startup' && !this.isStarted(entry.container.id)) return this.schedule(entry, w, spec, s.periodSeconds * 1000);
    const c = entry.container;
    const namedPorts = new Map((c.spec.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
    const outcome = await runProbe(spec, { runtime: this.opts.runtime, containerId: c.id, ip: c.ip, namedPorts });
    if (w.stopped) return;
    const before = w.tally.result;
    w.tally = tally(w.tally, outcome.ok, s);
    if (!outcome.ok) this.opts.onFailure?.(entry.podKey, c.name, w.kind, outcome.message);
    // A startup probe stops once it has succeeded; a failed one makes the container unhealthy.
    if (w.kind === 'startup' && w.tally.result === true) w.stopped = true;
    if (before !== w.tally.result) this.opts.onChange(entry.podKey);
    this.schedule(entry, w, spec, s.periodSeconds * 1000);
  }

  private drop(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    for (const w of e.workers.values()) {
      w.stopped = true;
      if (w.timer) clearTimeout(w.timer);
    }
    this.entries.delete(id);
  }
}
