// `skiff secrets rotate-key`: a new encryption key for Secrets at rest, every Secret re-sealed
// with it, the old key retired (ADR 0020). It works on the datastore directly, with the server's
// key file: on SQLite the server must be stopped (the database's lock says so if it is not).
// Its options and help here; the datastore code loads only when it runs.
import type { Command } from 'commander';
import { defaultDataDir } from './server.ts';

export interface RotateOptions {
  dataDir: string;
  datastoreEndpoint?: string;
  datastoreCafile?: string;
  datastoreCertfile?: string;
  datastoreKeyfile?: string;
}

export function registerSecrets(program: Command): void {
  const secrets = program.command('secrets').description('Secrets encrypted at rest');
  secrets
    .command('rotate-key')
    .description('add a new encryption key, re-encrypt every Secret with it, then retire the old key (SQLite: stop the server first)')
    .option('--data-dir <dir>', 'the server\'s data directory (its key file is pki/secrets-encryption.json there)', defaultDataDir())
    .option('--datastore-endpoint <url>', 'the server\'s etcd, as given to skiff server')
    .option('--datastore-cafile <file>', 'CA of the etcd members (TLS)')
    .option('--datastore-certfile <file>', 'client certificate for etcd')
    .option('--datastore-keyfile <file>', 'client key for etcd')
    .action(async (opts: RotateOptions) => (await import('../actions/rotate-key.ts')).runRotateKey(opts));
}
