// Defaults of the storage kinds (pkg/apis/core/v1/defaults.go, pkg/apis/storage/v1/defaults.go).

type Obj = Record<string, any>;

export function defaultPersistentVolumeClaim(pvc: Obj): void {
  const spec = (pvc.spec ??= {});
  if (spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
  const status = (pvc.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

export function defaultPersistentVolume(pv: Obj): void {
  const spec = (pv.spec ??= {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
  if (spec.hostPath && spec.hostPath.type === undefined) spec.hostPath.type = '';
  const status = (pv.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

export function defaultStorageClass(sc: Obj): void {
  if (sc.reclaimPolicy === undefined) sc.reclaimPolicy = 'Delete';
  if (sc.volumeBindingMode === undefined) sc.volumeBindingMode = 'Immediate';
}
