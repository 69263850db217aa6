// PersistentVolumeClaims, PersistentVolumes and StorageClasses (printers.go), with the columns of
// Kubernetes 1.32 including VOLUMEATTRIBUTESCLASS and the -o wide VOLUMEMODE.
import { accessModesString, isDefaultStorageClass, storageClassOf } from '@skiff/api';
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

const orUnset = (v: unknown): string => (typeof v === 'string' ? v : '<unset>');

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    column('StorageClass', 'string', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', { priority: 1 }),
  ],
  cells(pvc, now) {
    const spec = pvc.spec ?? {};
    const bound = !!spec.volumeName;
    return [
      pvc.metadata.name ?? '',
      pvc.metadata.deletionTimestamp ? 'Terminating' : String(pvc.status?.phase ?? ''),
      String(spec.volumeName ?? ''),
      bound ? String(pvc.status?.capacity?.storage ?? '0') : '',
      bound ? accessModesString(pvc.status?.accessModes) : '',
      storageClassOf(pvc),
      orUnset(spec.volumeAttributesClassName),
      ageSince(pvc.metadata.creationTimestamp, now),
      orUnset(spec.volumeMode),
    ];
  },
};

export const persistentVolumePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    column('StorageClass', 'string', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure.'),
    AGE_COLUMN,
    column('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { priority: 1 }),
  ],
  cells(pv, now) {
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    return [
      pv.metadata.name ?? '',
      String(spec.capacity?.storage ?? '0'),
      accessModesString(spec.accessModes),
      String(spec.persistentVolumeReclaimPolicy ?? ''),
      pv.metadata.deletionTimestamp ? 'Terminating' : String(pv.status?.phase ?? ''),
      claim,
      storageClassOf(pv),
      orUnset(spec.volumeAttributesClassName),
      String(pv.status?.reason ?? ''),
      ageSince(pv.metadata.creationTimestamp, now),
      orUnset(spec.volumeMode),
    ];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE_COLUMN,
  ],
  cells: (sc, now) => [
    isDefaultStorageClass(sc) ? `${sc.metadata.name} (default)` : (sc.metadata.name ?? ''),
    String(sc.provisioner ?? ''),
    String(sc.reclaimPolicy ?? 'Delete'),
    String(sc.volumeBindingMode ?? 'Immediate'),
    sc.allowVolumeExpansion === true,
    ageSince(sc.metadata.creationTimestamp, now),
  ],
};
