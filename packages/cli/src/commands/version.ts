import type { Command } from 'commander';
import { KUBERNETES_COMPAT, SKIFF_VERSION } from '../version.ts';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('print the skiff version and the Kubernetes API version it serves')
    .option('-o, --output <format>', 'output format: text or json', 'text')
    .action((opts: { output: string }) => {
      const info = { skiff: SKIFF_VERSION, kubernetesApi: KUBERNETES_COMPAT, node: process.version };
      if (opts.output === 'json') process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      else process.stdout.write(`skiff ${info.skiff} (Kubernetes API ${info.kubernetesApi}, Node.js ${info.node})\n`);
    });
}
