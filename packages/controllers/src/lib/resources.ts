// The resources the controllers read and write, from the shared registry.
export {
  PODS,
  SERVICES,
  ENDPOINTS,
  NODES,
  NAMESPACES,
  REPLICATION_CONTROLLERS,
  DEPLOYMENTS,
  REPLICA_SETS,
  LEASES,
  EVENTS,
  SERVICE_ACCOUNTS,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  STORAGE_CLASSES,
} from '@skiff/api';
