// Defaults of the storage kinds (pkg/apis/core/v1/defaults.go, pkg/apis/storage/v1/defaults.go).

import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../model/types.generated.ts';
import type { Incoming } from '../object.ts';

export function defaultPersistentVolumeClaim(pvc: Incoming<PersistentVolumeClaim>): void {
  const spec = (pvc.spec ??= {});
  if (spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
  const status = (pvc.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

export function defaultPersistentVolume(pv: Incoming<PersistentVolume>): void {
  const spec = (pv.spec ??= {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
  if (spec.hostPath && spec.hostPath.type === undefined) spec.hostPath.type = '';
  const status = (pv.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

export function defaultStorageClass(sc: Incoming<StorageClass>): void {
  if (sc.reclaimPolicy === undefined) sc.reclaimPolicy = 'Delete';
  if (sc.volumeBindingMode === undefined) sc.volumeBindingMode = 'Immediate';
}
