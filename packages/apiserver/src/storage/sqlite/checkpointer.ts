// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT
// crosses the WAL size threshold, which stalls that request (and every request queued behind it)
// for as long as copying the WAL into the database takes: tens of milliseconds at 16 MiB, the p99
// of a create. Here a worker thread with its own connection runs PASSIVE checkpoints (they never
// block the writer) whenever the WAL has grown, and the main connection's auto-checkpoint is off.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
let stopped = false;
const closed = new Int32Array(workerData.closed);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopped = true;
  try { db.close(); } finally { Atomics.store(closed, 0, 1); Atomics.notify(closed, 0); parentPort.close(); }
});
const tick = () => {
  if (stopped) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage(String(e && e.message || e)); }
  setTimeout(tick, workerData.intervalMs);
};
setTimeout(tick, workerData.intervalMs);
`;

export class Checkpointer {
  readonly #worker: Worker;
  /** Set to 1 by the worker once its connection is closed. */
  readonly #closed = new Int32Array(new SharedArrayBuffer(4));
  #stopped = false;
  #exited = false;

  constructor(path: string, intervalMs: number, onError: (err: unknown) => void) {
    // The worker is plain CommonJS (it is not type-stripped); it needs better-sqlite3's resolved path.
    const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs, betterSqlite3, closed: this.#closed.buffer } });
    this.#worker.on('exit', () => (this.#exited = true));
    // After stop() the database may be closed and its directory gone (the worker starts
    // asynchronously and may only now try to open it): nothing it reports then matters.
    this.#worker.on('message', (m: string) => this.#stopped || onError(new Error(`checkpoint: ${m}`)));
    this.#worker.on('error', (err) => this.#stopped || onError(err));
    this.#worker.unref();
  }

  /**
   * Stops the worker and waits (blocking, at most 2 s) until its connection is closed, so that
   * the caller closes the last connection itself and nothing touches the files afterwards.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#exited) return;
    this.#worker.postMessage('stop');
    Atomics.wait(this.#closed, 0, 0, 2000);
  }
}
