// `skiff lb`: a local load balancer in front of several API servers, for kubectl and other
// clients that take one server URL (ADR 0012). skiff's own clients (agents, the CLI) take the
// list themselves and need no balancer.
// Its options and help here; the balancer loads only when it runs.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

export interface LbOptions {
  server?: string;
  listen: { host: string; port: number };
  writeKubeconfig?: string;
}

export function registerLb(program: Command): void {
  program
    .command('lb')
    .description('a local load balancer in front of several API servers, for kubectl: new connections go to a live server')
    .option('--server <urls>', 'the API servers, comma-separated (default: the kubeconfig\'s skiff.dev/servers list, else its server)')
    .option('--listen <host:port>', 'where to listen', parseListen, { host: '127.0.0.1', port: 6444 })
    .option('--write-kubeconfig <path>', 'write a kubeconfig whose server is this balancer and which lists the servers (for skiff\'s own clients)')
    .action(async (opts: LbOptions) => (await import('../actions/lb.ts')).runLb(opts));
}

function parseListen(v: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT, got "${v}"`);
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}
