// The built-in StorageClass and the DefaultStorageClass admission, done by the API server itself:
// `local` (provisioner skiff.dev/local, WaitForFirstConsumer) is created when the server starts,
// as k3s installs its local-path class, and a claim that names no class gets the default one.
import type { KubeObject } from '@skiff/api';
import { applyDefaults, formatTime, DEFAULT_STORAGE_CLASS_NAME, IS_DEFAULT_CLASS_ANNOTATION, isDefaultStorageClass, LOCAL_PROVISIONER, pickDefaultStorageClass, STORAGE_CLASSES } from '@skiff/api';
import type { Storage } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';

/** The storage key of StorageClasses (strategy.ts storageKeyOf, not imported: strategy.ts imports this file). */
const KEY = `${STORAGE_CLASSES.group}/${STORAGE_CLASSES.plural}`;

/** The built-in class as it is first stored; `makeDefault` is false when another class already is. */
export function builtinStorageClass(makeDefault: boolean): KubeObject {
  return applyDefaults(STORAGE_CLASSES, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: DEFAULT_STORAGE_CLASS_NAME,
      uid: crypto.randomUUID(),
      creationTimestamp: formatTime(),
      ...(makeDefault ? { annotations: { [IS_DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}),
    },
    provisioner: LOCAL_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
}

/**
 * Creates `local` when it does not exist. It is marked default unless the cluster already has a
 * default class (a user who chose another default keeps it across restarts).
 */
export async function ensureBuiltinStorageClass(storage: Storage): Promise<void> {
  if (await storage.get({ resource: KEY, namespace: '', name: DEFAULT_STORAGE_CLASS_NAME })) return;
  const hasDefault = (await storage.list(KEY)).items.some(isDefaultStorageClass);
  try {
    await storage.create({ resource: KEY, namespace: '', name: DEFAULT_STORAGE_CLASS_NAME }, builtinStorageClass(!hasDefault));
  } catch (e) {
    // Another API server sharing the storage made it first.
    if (!(e instanceof StorageError && e.code === 'AlreadyExists')) throw e;
  }
}

/** DefaultStorageClass admission: only an absent storageClassName is filled ("" asks for no class). */
export async function admitDefaultStorageClass(pvc: KubeObject, storage: Storage): Promise<void> {
  const spec = (pvc.spec ??= {});
  if (spec.storageClassName !== undefined) return;
  const sc = pickDefaultStorageClass((await storage.list(KEY)).items);
  if (sc) spec.storageClassName = sc.metadata.name;
}
