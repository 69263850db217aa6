// What every controller here shares: a work queue of keys fed by informer handlers, workers
// that reconcile keys, and a stop that drains.
import { WorkQueue, runWorkers, type ReconcileResult } from '@skiff/client';

export interface Controller {
  readonly name: string;
  /** Runs `workers` workers until stop(); resolves when they have exited. */
  run(workers: number): Promise<void>;
  stop(): void;
}

export abstract class QueueController implements Controller {
  abstract readonly name: string;
  protected readonly queue = new WorkQueue<string>();
  protected readonly log: (msg: string, err?: unknown) => void;

  constructor(log?: (msg: string, err?: unknown) => void) {
    this.log = log ?? ((msg, err) => console.warn(msg, err instanceof Error ? err.message : (err ?? '')));
  }

  protected abstract reconcile(key: string): Promise<ReconcileResult | void>;

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.reconcile(key), {
      onError: (key, err, retrying) => this.log(`${this.name}: reconcile ${key} failed${retrying ? ', retrying' : ''}`, err),
    });
  }

  stop(): void {
    this.queue.shutDown();
  }

  enqueueKey(key: string): void {
    this.queue.add(key);
  }
}
