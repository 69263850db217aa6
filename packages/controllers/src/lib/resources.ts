// The resources the controllers read and write, from the shared registry.
import { RESOURCES, type ResourceInfo } from '@skiff/api';

function find(group: string, plural: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.group === group && x.plural === plural);
  if (!r) throw new Error(`resource ${group}/${plural} is not registered`);
  return r;
}

export const PODS = find('', 'pods');
export const SERVICES = find('', 'services');
export const ENDPOINTS = find('', 'endpoints');
export const NODES = find('', 'nodes');
export const NAMESPACES = find('', 'namespaces');
export const REPLICATION_CONTROLLERS = find('', 'replicationcontrollers');
export const DEPLOYMENTS = find('apps', 'deployments');
export const REPLICA_SETS = find('apps', 'replicasets');
export const LEASES = find('coordination.k8s.io', 'leases');
export const EVENTS = find('', 'events');
