// The rotation as `skiff secrets rotate-key` runs it: on the datastore itself, with the server's
// key file. SQLite is one process's file (its lock refuses while `skiff server` runs: stop it,
// rotate, start it); on etcd the servers may keep running, but each must be given the new key
// file before it next meets a Secret sealed with it (ADR 0020).
import { join } from 'node:path';
import { openStorage } from '../index.ts';
import type { EtcdStorageOptions } from '../etcd/options.ts';
import type { Storage } from '../types.ts';
import { EncryptingStorage } from './encrypting-storage.ts';
import { Keyring, loadOrCreateKeyFile } from './keyring.ts';
import { rotateEncryptionKey, type RotationResult } from './rotate.ts';

export const ENCRYPTION_KEY_FILE = 'pki/secrets-encryption.json';

export async function rotateDatastoreKey(opts: { dataDir: string; etcd?: EtcdStorageOptions }): Promise<RotationResult & { keyFile: string }> {
  const keyFile = join(opts.dataDir, ENCRYPTION_KEY_FILE);
  let inner: Storage;
  if (opts.etcd) {
    const { EtcdStorage } = await import('../etcd/storage.ts');
    inner = await EtcdStorage.open({ ...opts.etcd, compactIntervalMs: 0 });
  } else {
    inner = openStorage({ dataDir: opts.dataDir });
  }
  const storage = new EncryptingStorage(inner, new Keyring(loadOrCreateKeyFile(keyFile)));
  try {
    return { ...(await rotateEncryptionKey(storage, keyFile)), keyFile };
  } finally {
    storage.close();
  }
}
