// The components' process, started by ./components-process.ts: runs the scheduler and/or the
// controller manager against the API server's URL, over one set of shared informers when both run,
// at a lower CPU priority than the API server's process (ADR 0022); reports ready, stops cleanly
// when asked, and exits when the server that started it is gone (its IPC channel closes).
import { createPrivateKey } from 'node:crypto';
import { dropManagedFields, RestClient, SharedInformerFactory } from '@skiff/client';
import { createControllerManager } from '@skiff/controllers';
import { createScheduler } from '@skiff/scheduler';
import { validComponentSpec, type ComponentsMessage } from './components-process.ts';
import { COMPONENT_NICE, lowerProcessPriority } from './process-priority.ts';

/** Stops what started, last first. */
type Stop = () => Promise<void> | void;

const send = (m: ComponentsMessage) => process.send!(m);

async function main(data: unknown): Promise<void> {
  if (!validComponentSpec(data)) {
    send({ type: 'failed', message: 'invalid component spec' });
    return;
  }
  const spec = data;
  // The API server comes first when the two cores are contended: a component catches up from its
  // watch when the burst is over, a client waiting on the API server does not (ADR 0022). Every
  // thread of this process is lowered, V8's garbage-collection helpers included.
  const problem = lowerProcessPriority(COMPONENT_NICE);
  if (problem) process.stderr.write(`skiff: components: ${problem}\n`);
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  let endpointUrl: string | undefined;
  try {
    // Both components follow pods, nodes, claims, volumes, classes, namespaces and budgets: with
    // both here, one informer (one watch, one cache) of each serves both. It reads as the
    // controller manager, which may read every kind (the scheduler's reads are a subset).
    let informers: SharedInformerFactory | undefined;
    if (spec.scheduler && spec.controllerManager) {
      const reader = new RestClient({ server: spec.server, ca: spec.ca, cert: spec.controllerManager.cert, key: spec.controllerManager.key, userAgent: 'skiff-server-informers', maxConnections: 16 });
      const shared = new SharedInformerFactory(reader, { defaults: { onError: (err, ctx) => process.stderr.write(`skiff: informer: ${ctx}: ${(err as Error)?.message ?? err}\n`), transform: dropManagedFields } });
      shared.start();
      informers = shared;
      stops.push(() => reader.close());
      stops.push(() => shared.stop());
    }
    if (spec.scheduler) {
      // First: it fails with EADDRINUSE before anything else runs, for the caller to retry on another port.
      const s = spec.scheduler;
      const scheduler = createScheduler({ server: spec.server, ca: spec.ca, cert: s.cert, key: s.key, endpoint: { port: s.port }, informers });
      await scheduler.start();
      stops.push(() => scheduler.stop());
      endpointUrl = scheduler.endpointUrl;
    }
    if (spec.controllerManager) {
      const c = spec.controllerManager;
      const signing = c.signingCert && c.signingKey ? { cert: c.signingCert, key: createPrivateKey(c.signingKey) } : undefined;
      const manager = createControllerManager({ server: spec.server, ca: spec.ca, cert: c.cert, key: c.key, clusterCIDR: c.clusterCIDR, signing, informers });
      await manager.start();
      stops.push(() => manager.stop());
    }
    send({ type: 'ready', endpointUrl });
  } catch (err) {
    await stopAll().catch(() => {});
    const code = (err as NodeJS.ErrnoException)?.code;
    send({ type: 'failed', message: (err as Error)?.message ?? String(err), ...(typeof code === 'string' ? { code } : {}) });
    return;
  }
  process.on('message', (m: unknown) => {
    if (!m || typeof m !== 'object' || (m as { type?: unknown }).type !== 'stop') return;
    // Then exit: the server waits for this process to end (a profile, say, is written at exit).
    stopAll().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`skiff: components: stopping: ${(err as Error)?.message ?? String(err)}\n`);
        process.exit(1);
      },
    );
  });
}

if (!process.send) {
  process.stderr.write('skiff: the components process is started by skiff server, not by hand\n');
  process.exit(2);
}
process.once('message', (m: unknown) => {
  const start = m as { type?: unknown; spec?: unknown } | undefined;
  if (!start || start.type !== 'start') {
    send({ type: 'failed', message: 'expected a start message' });
    return;
  }
  void main(start.spec);
});
// The server that started this process is gone (it crashed or was killed): nothing here serves anyone.
process.on('disconnect', () => process.exit(0));
// Orders come from the server alone. Ctrl-C in a terminal, or a service manager stopping the
// whole group, signals this process too: the server then asks it to stop (the components give up
// their leases), or it exits when the server is gone.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
