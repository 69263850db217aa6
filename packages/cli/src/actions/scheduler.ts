// What `skiff scheduler` does: the scheduler against an API server, with its explain/metrics endpoint.
import { createScheduler, loadConfig } from '@skiff/scheduler';
import { clientOptions, resolveServer } from '../kubeconfig.ts';
import { onShutdown } from '../shutdown.ts';
import { DEFAULT_SCHEDULER_PORT, startOnPort } from '../component-ports.ts';
import type { SchedulerOptions } from '../commands/components.ts';

export async function runScheduler(opts: SchedulerOptions): Promise<void> {
  const server = resolveServer(opts.server, opts.kubeconfig);
  const config = opts.config ? loadConfig(opts.config) : undefined;
  const scheduler = await startOnPort({
    what: 'scheduler endpoint',
    requested: opts.port,
    preferred: DEFAULT_SCHEDULER_PORT,
    anyPort: false,
    log: (m) => process.stdout.write(`${m}\n`),
    start: async (port) => {
      const s = createScheduler({ ...clientOptions(server), config, endpoint: { port } });
      await s.start();
      return s;
    },
  });
  process.stdout.write(`skiff scheduler: scheduling for ${server.url} (explain: ${scheduler.endpointUrl})\n`);
  onShutdown(() => scheduler.stop());
}
