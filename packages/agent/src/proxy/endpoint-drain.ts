// Holds a deleted pod's stop signal until no node's proxy sends it new connections (./drain.ts
// says what that means and why). Event-driven: every EndpointSlice or Node change re-checks the
// waiting pods; the agent's shared informers feed it.
import type { KubeObject } from '@skiff/api';
import type { Informer } from '@skiff/client';
import { computeDrainState, type DrainState } from './drain.ts';

export interface EndpointDrainOptions {
  slices: Informer<KubeObject>;
  nodes: Informer<KubeObject>;
}

interface Waiter {
  pod: KubeObject;
  done(state: DrainState): void;
}

export class EndpointDrain {
  private readonly o: EndpointDrainOptions;
  private readonly waiters = new Set<Waiter>();

  constructor(o: EndpointDrainOptions) {
    this.o = o;
    const changed = () => this.check();
    for (const inf of [o.slices, o.nodes]) inf.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  /** What holds `pod` now. */
  state(pod: KubeObject): DrainState {
    return computeDrainState(pod, this.o.slices.store.list(), this.o.nodes.store.list());
  }

  /**
   * Resolves once `pod` is in no proxy's rules any more ('none' or 'drained'), or after `limitMs`
   * with what still held it.
   */
  wait(pod: KubeObject, limitMs: number): Promise<DrainState> {
    const now = this.state(pod);
    if (now.phase === 'none' || now.phase === 'drained' || limitMs <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const w: Waiter = {
        pod,
        done: (s) => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve(s);
        },
      };
      const timer = setTimeout(() => w.done(this.state(pod)), limitMs);
      this.waiters.add(w);
    });
  }

  private check(): void {
    for (const w of this.waiters) {
      const s = this.state(w.pod);
      if (s.phase === 'none' || s.phase === 'drained') w.done(s);
    }
  }
}
