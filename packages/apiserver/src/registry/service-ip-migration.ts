// Start-up migration of ClusterIPs outside the service CIDR (Services made under skiff's earlier
// loopback range 127.96.0.0/16, or before --service-cluster-ip-range changed). A ClusterIP is
// immutable through the API, so the server rewrites these itself, once, before serving; the
// change reaches every watcher (the kernel proxies, DNS) as an ordinary MODIFIED event.
import type { IPv4CIDR } from '@skiff/api';
import type { Storage } from '../storage/types.ts';
import { planClusterIPMigration } from './service-ips.ts';

export async function migrateClusterIPs(storage: Storage, range: IPv4CIDR): Promise<number> {
  const plan = planClusterIPMigration((await storage.list('services')).items, range);
  for (const { service, clusterIP } of plan) {
    const key = { resource: 'services', namespace: service.metadata.namespace ?? '', name: service.metadata.name ?? '' };
    await storage.update(key, (current) => ({ ...current, spec: { ...current.spec, clusterIP, clusterIPs: [clusterIP] } }));
  }
  return plan.length;
}
