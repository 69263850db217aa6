// Start-up migration of ClusterIPs outside the service CIDR (Services made under skiff's earlier
// loopback range 127.96.0.0/16, or before --service-cluster-ip-range changed). A ClusterIP is
// immutable through the API, so the server rewrites these itself, once, before serving; the
// change reaches every watcher (the kernel proxies, DNS) as an ordinary MODIFIED event.
import type { IPv4CIDR } from '@skiff/api';
import type { Storage } from '../storage/types.ts';
import { planClusterIPMigration } from './service-ips.ts';
import { releaseClaims, takeClaims } from './service-claims.ts';

export async function migrateClusterIPs(storage: Storage, range: IPv4CIDR): Promise<number> {
  const plan = planClusterIPMigration((await storage.list('services')).items, range);
  for (const { service, clusterIP } of plan) {
    const key = { resource: 'services', namespace: service.metadata.namespace ?? '', name: service.metadata.name ?? '' };
    // The new address is claimed first (several API servers may start at once: one wins it, the
    // others leave the Service to it); the old one's claim is given back.
    if ((await takeClaims(storage, { clusterIP, clusterIPs: [clusterIP] }, `${key.namespace}/${key.name}`)) !== undefined) continue;
    await storage.update(key, (current) => ({ ...current, spec: { ...current.spec, clusterIP, clusterIPs: [clusterIP] } }));
    await releaseClaims(storage, { ...service, spec: { clusterIPs: service.spec?.clusterIPs ?? [service.spec?.clusterIP] } });
  }
  return plan.length;
}
