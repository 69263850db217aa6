// `skiff explain`: its options and help; the client and the rendering load only when it runs.
import type { Command } from 'commander';
import { DEFAULT_SCHEDULER } from '../component-ports.ts';

export interface ExplainOptions {
  namespace: string;
  scheduler?: string;
  server?: string;
  output: string;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description("show why the scheduler put a pod where it did, or why it is pending: every node's verdict and every score")
    .argument('<pod>', 'pod/NAME or NAME')
    .option('-n, --namespace <ns>', 'namespace of the pod', 'default')
    .option('--scheduler <url>', `the scheduler's endpoint (default: $SKIFF_SCHEDULER, else the one the active scheduler advertises on its Lease, else ${DEFAULT_SCHEDULER})`)
    .option('--server <url>', 'API server URL, to find the scheduler (default: kubeconfig from skiff up, else http://127.0.0.1:6443)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (pod: string, opts: ExplainOptions) => (await import('../actions/explain.ts')).runExplain(pod, opts));
}
