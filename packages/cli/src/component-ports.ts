// Ports of the components' own endpoints (the scheduler's explain/metrics endpoint) when several
// skiff servers share a machine. An explicit port is used as given (busy: a clear error). The
// default follows the API server: `--port 0` picks free ports for everything; otherwise the
// Kubernetes port (10259) is preferred, and a free one taken when another server already holds it.

export const DEFAULT_SCHEDULER_PORT = 10259;
/** Where `skiff explain` looks for the scheduler when nothing says otherwise. */
export const DEFAULT_SCHEDULER = `http://127.0.0.1:${DEFAULT_SCHEDULER_PORT}`;

/**
 * Starts something that listens on a port. `start(port)` must fail with EADDRINUSE without
 * leaving anything running (the scheduler listens before it starts its informers).
 */
export async function startOnPort<T>(o: {
  what: string;
  /** The port the user asked for, if any. */
  requested: number | undefined;
  preferred: number;
  /** Free ports for every endpoint (`skiff server --port 0`). */
  anyPort: boolean;
  start: (port: number) => Promise<T>;
  log: (message: string) => void;
}): Promise<T> {
  if (o.requested !== undefined) {
    return o.start(o.requested).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new Error(`the ${o.what} port ${o.requested} is already in use (another skiff server? choose another port)`);
      throw err;
    });
  }
  if (o.anyPort) return o.start(0);
  try {
    return await o.start(o.preferred);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    o.log(`port ${o.preferred} of the ${o.what} is in use (another skiff server?): using a free port instead`);
    return o.start(0);
  }
}
