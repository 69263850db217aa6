// Service addresses claimed in the store, so that several API servers never hand out the same
// ClusterIP or NodePort. Kubernetes' IPAddress allocator (KEP-1880) works the same way: one
// object per address in use, taken by a create that fails when the object exists. Here the
// claims live under a storage key that is not served (`skiff.internal/addressclaims`), one per
// ClusterIP (`ip-<address>`) and NodePort (`port-<n>`); the Service's create takes them, its
// delete gives them back. A claim left behind by a server that died between claim and create
// (or by an update that dropped an address) is given back by the repair loop
// (./service-claim-repair.ts), as Kubernetes' repair controllers do.
import type { KubeObject, ServiceSpec } from '@skiff/api';
import type { ObjectKey, Storage } from '../storage/types.ts';
import { StorageError } from '../storage/types.ts';

export const CLAIMS_RESOURCE = 'skiff.internal/addressclaims';

/** The claim names a Service's spec needs. */
export function claimNames(spec: ServiceSpec | undefined): string[] {
  const out: string[] = [];
  const ips: string[] = spec?.clusterIPs ?? (spec?.clusterIP ? [spec.clusterIP] : []);
  for (const ip of ips) if (ip && ip !== 'None') out.push(`ip-${ip}`);
  for (const p of spec?.ports ?? []) if (p?.nodePort) out.push(`port-${p.nodePort}`);
  return [...new Set(out)];
}

const keyOf = (name: string): ObjectKey => ({ resource: CLAIMS_RESOURCE, namespace: '', name });

/**
 * Takes every claim of `spec` for the Service `owner` (namespace/name). Returns undefined when all
 * were taken, or the name of one held by someone else (after giving back those taken here).
 */
export async function takeClaims(storage: Storage, spec: ServiceSpec, owner: string): Promise<string | undefined> {
  const taken: string[] = [];
  for (const name of claimNames(spec)) {
    try {
      await storage.create(keyOf(name), { apiVersion: 'v1', kind: 'AddressClaim', metadata: { name, annotations: { 'skiff.io/service': owner } } });
      taken.push(name);
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'AlreadyExists')) {
        await releaseNames(storage, taken);
        throw e;
      }
      const holder = (await storage.get(keyOf(name)))?.metadata.annotations?.['skiff.io/service'];
      if (holder === owner) continue; // ours from an earlier attempt
      await releaseNames(storage, taken);
      return name;
    }
  }
  return undefined;
}

/** Gives back the claims of a Service that is gone (or was never stored). */
export async function releaseClaims(storage: Storage, svc: KubeObject): Promise<void> {
  await releaseNames(storage, claimNames(svc.spec));
}

async function releaseNames(storage: Storage, names: string[]): Promise<void> {
  for (const name of names) {
    try {
      await storage.delete(keyOf(name));
    } catch (e) {
      if (!(e instanceof StorageError && e.code === 'NotFound')) throw e;
    }
  }
}

/** A Service-shaped stand-in holding the address of claim `name`, so the allocator counts it as used. */
export function claimAsService(name: string): KubeObject {
  const ip = name.startsWith('ip-') ? name.slice(3) : undefined;
  const port = name.startsWith('port-') ? Number(name.slice(5)) : undefined;
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: ip ? { clusterIP: ip } : { ports: [{ nodePort: port }] } };
}

/** Every address claimed now (by any API server), as stand-ins. */
export async function claimedAddresses(storage: Storage): Promise<KubeObject[]> {
  return (await storage.list(CLAIMS_RESOURCE)).items.map((c) => claimAsService(c.metadata.name!));
}
