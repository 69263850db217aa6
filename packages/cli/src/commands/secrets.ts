// `skiff secrets rotate-key`: a new encryption key for Secrets at rest, every Secret re-sealed
// with it, the old key retired (ADR 0020). It works on the datastore directly, with the server's
// key file: on SQLite the server must be stopped (the database's lock says so if it is not).
import type { Command } from 'commander';
import { parseDatastore, rotateDatastoreKey } from '@skiff/apiserver';
import { defaultDataDir } from './server.ts';

interface RotateOptions {
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
    .action(async (opts: RotateOptions) => {
      const etcd = parseDatastore({ endpoint: opts.datastoreEndpoint, cafile: opts.datastoreCafile, certfile: opts.datastoreCertfile, keyfile: opts.datastoreKeyfile });
      const r = await rotateDatastoreKey({ dataDir: opts.dataDir, etcd });
      process.stdout.write(`secrets now encrypted with ${r.key}: ${r.resealed} re-encrypted, retired ${r.retired.join(', ') || 'none'} (${r.keyFile})\n`);
      if (etcd) process.stdout.write(`copy ${r.keyFile} to every other API server's data directory and restart them\n`);
    });
}
