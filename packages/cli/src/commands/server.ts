import type { Command } from 'commander';
import { startApiServer } from '@skiff/apiserver';
import { parsePort } from '../options.ts';
import { onShutdown } from '../shutdown.ts';

interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
}

export function registerServer(program: Command): void {
  program
    .command('server')
    .description('run the API server (and, in one process, the scheduler and controller manager)')
    .option('--data-dir <dir>', 'where the SQLite database lives', defaultDataDir())
    .option('--host <address>', 'address to bind; 127.0.0.1 keeps the API off the network', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 6443)
    .action(async (opts: ServerOptions) => {
      const server = await startApiServer({ dataDir: opts.dataDir, host: opts.host, port: opts.port });
      process.stdout.write(`skiff API server listening on ${server.url} (data in ${opts.dataDir})\n`);
      onShutdown(async () => {
        await server.close();
      });
    });
}

function defaultDataDir(): string {
  return `${process.env.HOME ?? '.'}/.skiff/data`;
}
