// `skiff down`: its options and help; the teardown loads only when it runs.
import type { Command } from 'commander';
import { skiffHome } from '../home.ts';

export interface DownOptions {
  dataDir: string;
  keepContainers?: boolean;
  purge?: boolean;
}

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop the local cluster started by skiff up, and remove its containers')
    .option('--data-dir <dir>', 'the data directory given to skiff up', skiffHome())
    .option('--keep-containers', 'leave the pods\' containers running')
    .option('--purge', 'also delete the data directory (database, logs, kubeconfig)')
    .action(async (opts: DownOptions) => (await import('../actions/down.ts')).runDown(opts));
}
