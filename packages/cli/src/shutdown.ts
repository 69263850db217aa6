// Orderly shutdown on SIGINT/SIGTERM: run the registered closers once, newest first, then exit.
const closers: (() => Promise<void>)[] = [];
let installed = false;

export function onShutdown(close: () => Promise<void>): void {
  closers.unshift(close);
  if (installed) return;
  installed = true;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal: give up waiting
    stopping = true;
    process.stderr.write(`skiff: ${signal}, shutting down\n`);
    (async () => {
      for (const c of closers) {
        try { await c(); } catch (err) { process.stderr.write(`skiff: error while closing: ${String(err)}\n`); }
      }
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
