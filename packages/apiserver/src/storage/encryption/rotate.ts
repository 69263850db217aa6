// `skiff secrets rotate-key`: a new key seals from now on, every Secret is re-sealed with it, then
// the old keys are retired. Each step leaves a state every reader handles (reads accept any key
// the file lists), so an interrupted rotation is finished by running it again:
//   1. the key file lists [new, ...old] (written atomically before any Secret changes);
//   2. each Secret not sealed with the new key is rewritten (an update that changes nothing else;
//      like Kubernetes' `kubectl get secrets -A -o json | kubectl replace -f -`, each gets a new
//      resourceVersion and watchers see MODIFIED);
//   3. once a fresh list finds none sealed otherwise, the file lists [new] only.
import type { EncryptingStorage } from './encrypting-storage.ts';
import { EncryptingStorage as Sealing } from './encrypting-storage.ts';
import { Keyring, loadOrCreateKeyFile, newKey, writeKeyFile } from './keyring.ts';
import { StorageError } from '../types.ts';

export interface RotationResult {
  /** The key that seals now. */
  key: string;
  /** Keys taken out of the file. */
  retired: string[];
  /** Secrets re-sealed. */
  resealed: number;
}

export async function rotateEncryptionKey(storage: EncryptingStorage, keyFile: string, resources: string[] = ['secrets']): Promise<RotationResult> {
  const old = loadOrCreateKeyFile(keyFile);
  const fresh = newKey(old);
  writeKeyFile(keyFile, [fresh, ...old]);
  storage.setKeyring(new Keyring([fresh, ...old]));
  let resealed = 0;
  for (const resource of resources) {
    const { items } = await storage.inner.list(resource);
    for (const stored of items) {
      if (Sealing.sealedWith(stored) === fresh.name) continue;
      const key = { resource, namespace: stored.metadata.namespace ?? '', name: stored.metadata.name! };
      try {
        await storage.update(key, (o) => o);
        resealed++;
      } catch (e) {
        if (e instanceof StorageError && e.code === 'NotFound') continue; // deleted meanwhile
        throw e;
      }
    }
    const left = (await storage.inner.list(resource)).items.filter((o) => Sealing.sealedWith(o) !== fresh.name);
    if (left.length) throw new Error(`${left.length} ${resource} are still not sealed with ${fresh.name}; the old keys stay in ${keyFile} (run the rotation again)`);
  }
  await storage.flush?.();
  writeKeyFile(keyFile, [fresh]);
  storage.setKeyring(new Keyring([fresh]));
  return { key: fresh.name, retired: old.map((k) => k.name), resealed };
}
