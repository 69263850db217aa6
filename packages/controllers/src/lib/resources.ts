// The resources the controllers read and write, from the shared registry.
export { PODS, SERVICES, ENDPOINTS, NODES, NAMESPACES, REPLICATION_CONTROLLERS, DEPLOYMENTS, REPLICA_SETS, LEASES, EVENTS } from '@skiff/api';
// TODO(kinds): from @skiff/api once the storage kinds are served there.
export const PERSISTENT_VOLUME_CLAIMS = { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', scope: 'Namespaced' } as const;
export const PERSISTENT_VOLUMES = { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', scope: 'Cluster' } as const;
export const STORAGE_CLASSES = { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', scope: 'Cluster' } as const;
