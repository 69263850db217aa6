// What `skiff secrets rotate-key` does: re-seals every Secret in the datastore with a new key.
import { parseDatastore, rotateDatastoreKey } from '@skiff/apiserver';
import type { RotateOptions } from '../commands/secrets.ts';

export async function runRotateKey(opts: RotateOptions): Promise<void> {
  const etcd = parseDatastore({ endpoint: opts.datastoreEndpoint, cafile: opts.datastoreCafile, certfile: opts.datastoreCertfile, keyfile: opts.datastoreKeyfile });
  const r = await rotateDatastoreKey({ dataDir: opts.dataDir, etcd });
  process.stdout.write(`secrets now encrypted with ${r.key}: ${r.resealed} re-encrypted, retired ${r.retired.join(', ') || 'none'} (${r.keyFile})\n`);
  if (etcd) process.stdout.write(`copy ${r.keyFile} to every other API server's data directory and restart them\n`);
}
