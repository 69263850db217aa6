// `skiff up`: its options and help; what it starts loads only when it runs.
import type { Command } from 'commander';
import { skiffHome } from '../home.ts';
import { parsePort, parseWholeNumber } from '../options.ts';

export interface UpOptions {
  nodes: number;
  dataDir: string;
  port: number;
  runtime: 'docker' | 'sim';
  backoffBase?: number;
  netns?: boolean;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start a local cluster: the server (API server, scheduler, controller manager) and N node agents on this Docker engine')
    .option('--nodes <n>', 'how many node agents (node IPs 127.0.1.1 ... 127.0.1.N)', parseWholeNumber, 2)
    .option('--data-dir <dir>', 'where the database, logs and kubeconfig go', skiffHome())
    .option('--port <port>', 'API server port on 127.0.0.1', parsePort, 6443)
    .option('--runtime <runtime>', 'docker, or sim for simulated nodes', 'docker')
    .option('--backoff-base <ms>', 'crash-loop back-off base of the agents', parseWholeNumber)
    .option('--netns', 'make each node a host of its own: a network namespace with its own Docker engine, joined by a bridge on 10.250.0.0/24 (root only)')
    .action(async (opts: UpOptions) => (await import('../actions/up.ts')).runUp(opts));
}
