// Which ServiceAccounts a namespace is missing: Kubernetes' serviceaccounts-controller keeps a
// `default` one in every active namespace (and makes it again when it is deleted).
import type { KubeObject } from '@skiff/api';

/** The accounts every namespace has (kube-controller-manager's ServiceAccountsControllerOptions). */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'] as const;

/**
 * The ServiceAccounts to create in `namespace`, given the names it has. None for a namespace that
 * is being deleted: whatever was made would only be deleted again (and the create is refused).
 */
export function planServiceAccounts(namespace: KubeObject, existing: ReadonlySet<string>, wanted: readonly string[] = DEFAULT_SERVICE_ACCOUNTS): KubeObject[] {
  if (namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return [];
  return wanted
    .filter((name) => !existing.has(name))
    .map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: namespace.metadata.name } }));
}
