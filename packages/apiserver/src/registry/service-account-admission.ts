// The ServiceAccount admission plugin (kube-apiserver's plugin/pkg/admission/serviceaccount), for
// pods being created:
//   - no spec.serviceAccountName means `default` (spec.serviceAccount, deprecated, mirrors it);
//   - a ServiceAccount the pod names must exist, else 403. Unlike kube-apiserver (which waits
//     ~1.5 s for `default` and then refuses too), a missing `default` is admitted at once: skiff's
//     API server also runs without the controller manager that makes it (tests, --no-controllers),
//     and the agent's TokenRequest retries until it exists (FailedMount meanwhile). ADR 0017;
//   - unless spec.automountServiceAccountToken, or else the ServiceAccount's, is false, every
//     container and init container mounts the projected `kube-api-access-<suffix>` volume at
//     /var/run/secrets/kubernetes.io/serviceaccount (token, ca.crt, namespace), except those that
//     mount something there already;
//   - the ServiceAccount's imagePullSecrets, when the pod names none.
// Active only on a server that issues ServiceAccount tokens (it has the signing key).
// ServiceAccounts are read from a watch-fed view, as kube-apiserver's plugin reads its informer's
// lister: a pod create costs no storage read (on etcd, a round trip) unless the view has not seen
// its ServiceAccount yet, which is then looked up live, as the plugin does.
import { randomNameSuffix, SERVICE_ACCOUNTS, type KubeObject } from '@skiff/api';
import { forbidden } from '../errors/status.ts';
import type { Storage } from '../storage/types.ts';
import { WatchCache } from '../storage/watch-cache.ts';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
/** The ConfigMap the root CA publisher keeps in every namespace. */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
/** Kubernetes' 1 h plus 7 s, the mark of an admission-made token volume. */
export const TOKEN_EXPIRATION_SECONDS = 3607;

const PODS_REF = { plural: 'pods', group: '', kind: 'Pod' };

interface MountingContainer {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

/** The projected volume kube-apiserver adds (TokenVolumeSource). */
export function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
        { configMap: { name: ROOT_CA_CONFIG_MAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Whether the pod gets the token: the pod's own setting first, then its ServiceAccount's, then yes. */
export function shouldAutomount(pod: KubeObject, serviceAccount: KubeObject | undefined): boolean {
  const own = pod.spec?.automountServiceAccountToken;
  if (typeof own === 'boolean') return own;
  const sa = (serviceAccount as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken;
  return typeof sa === 'boolean' ? sa : true;
}

/** Adds the token volume and its mounts to `pod` (mountServiceAccountToken); `suffix` names a new volume. */
export function mountServiceAccountToken(pod: KubeObject, suffix: string): void {
  const spec = pod.spec!;
  const volumes = (spec.volumes ?? []) as { name: string }[];
  const existing = volumes.find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const name = existing?.name ?? TOKEN_VOLUME_PREFIX + suffix;
  let needed = false;
  for (const list of [spec.initContainers, spec.containers] as (MountingContainer[] | undefined)[]) {
    for (const c of list ?? []) {
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
      needed = true;
    }
  }
  if (needed && !existing) spec.volumes = [...volumes, tokenVolume(name)];
}

export class ServiceAccountAdmission {
  private readonly storage: Storage;
  private readonly view: WatchCache;

  constructor(storage: Storage, log: (msg: string, err?: unknown) => void) {
    this.storage = storage;
    this.view = new WatchCache({ storage, resource: SERVICE_ACCOUNTS.plural, log });
  }

  /** Fills the view; pods may be admitted before (each is then looked up live). */
  start(): Promise<void> {
    return this.view.start();
  }

  close(): void {
    this.view.close();
  }

  private async serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.view.get(namespace, name) ?? (await this.storage.get({ resource: SERVICE_ACCOUNTS.plural, namespace, name }));
  }

  async admitPod(pod: KubeObject): Promise<void> {
    const spec = (pod.spec ??= {});
    // Mirror pods (static pods) are left alone, as in Kubernetes.
    if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
    if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
    spec.serviceAccount = spec.serviceAccountName;
    const namespace = pod.metadata.namespace ?? 'default';
    const sa = await this.serviceAccount(namespace, spec.serviceAccountName);
    if (!sa && spec.serviceAccountName !== 'default') {
      throw forbidden(PODS_REF, pod.metadata.name ?? '', `error looking up service account ${namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
    }
    if (shouldAutomount(pod, sa)) mountServiceAccountToken(pod, randomNameSuffix());
    const pullSecrets = (sa as { imagePullSecrets?: { name: string }[] } | undefined)?.imagePullSecrets;
    if (!(spec.imagePullSecrets ?? []).length && pullSecrets?.length) spec.imagePullSecrets = pullSecrets.map((s) => ({ name: s.name }));
  }
}
