// The resources the controllers read and write, from the shared registry.
export { PODS, SERVICES, ENDPOINTS, NODES, NAMESPACES, REPLICATION_CONTROLLERS, DEPLOYMENTS, REPLICA_SETS, LEASES, EVENTS } from '@skiff/api';
