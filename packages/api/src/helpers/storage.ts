// Names and small pure helpers for ConfigMaps, Secrets and storage that several components share
// (API server admission and printing, controllers, the agent's volume code).

import type { KubeObject } from '../object.ts';

// ---- Secrets ------------------------------------------------------------------------------

export const SECRET_TYPE_OPAQUE = 'Opaque';
export const SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_BASIC_AUTH = 'kubernetes.io/basic-auth';
export const SECRET_TYPE_SSH_AUTH = 'kubernetes.io/ssh-auth';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
/** The annotation a service-account-token Secret must carry. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
/** ConfigMaps and Secrets hold at most 1 MiB of data (core.MaxSecretSize). */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** Decoded size of a base64 value, without decoding it. */
export function base64DecodedLength(b64: string): number {
  let pad = 0;
  if (b64.endsWith('==')) pad = 2;
  else if (b64.endsWith('=')) pad = 1;
  return (b64.length / 4) * 3 - pad;
}

// ---- Storage ------------------------------------------------------------------------------

/** Marks the StorageClass a claim without storageClassName gets. */
export const IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
/** The older annotation Kubernetes still reads (storage util IsDefaultAnnotation). */
export const BETA_IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
/** The beta annotation that named a claim's or volume's class before spec.storageClassName. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** skiff's built-in class, created when the cluster starts and marked default. */
export const DEFAULT_STORAGE_CLASS_NAME = 'local';
/** The provisioner of the built-in class: node-local volumes made when the first pod is scheduled. */
export const LOCAL_PROVISIONER = 'skiff.dev/local';

/** Holds a deleted claim while a pod still uses it (added on create, removed by the pvc-protection controller). */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
/** Holds a deleted volume while a claim is bound to it (added on create, removed by the pv-protection controller). */
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** storage util IsDefaultAnnotation: either annotation set to "true". */
export function isDefaultStorageClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[IS_DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_IS_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/**
 * The class DefaultStorageClass admission gives a claim that names none: among the classes marked
 * default, the most recently created (then the first by name), as Kubernetes does since 1.28.
 */
export function pickDefaultStorageClass(classes: readonly KubeObject[]): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const sc of classes) {
    if (!isDefaultStorageClass(sc)) continue;
    if (!best) {
      best = sc;
      continue;
    }
    const a = sc.metadata.creationTimestamp ?? '';
    const b = best.metadata.creationTimestamp ?? '';
    if (a > b || (a === b && (sc.metadata.name ?? '') < (best.metadata.name ?? ''))) best = sc;
  }
  return best;
}

/** helper.GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins, then spec.storageClassName. */
export function storageClassOf(obj: KubeObject): string {
  const beta = obj.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (beta !== undefined) return beta;
  return (obj.spec?.storageClassName as string | undefined) ?? '';
}

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;

/** helper.GetAccessModesAsString: `RWO,ROX,RWX,RWOP` in that order, each once. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const has = new Set(modes ?? []);
  const out: string[] = [];
  if (has.has('ReadWriteOnce')) out.push('RWO');
  if (has.has('ReadOnlyMany')) out.push('ROX');
  if (has.has('ReadWriteMany')) out.push('RWX');
  if (has.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
