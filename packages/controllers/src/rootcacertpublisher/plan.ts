// What the root CA publisher (kube-controller-manager's root-ca-cert-publisher) writes: a
// `kube-root-ca.crt` ConfigMap in every active namespace holding the CA that verifies the API
// server (`ca.crt`), which the ServiceAccount token volume projects into pods.
import type { KubeObject } from '@skiff/api';

export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export type RootCAPlan = { create: KubeObject } | { update: KubeObject } | undefined;

/** The ConfigMap to create or put right in `namespace`; nothing when it is right, or the namespace is going. */
export function planRootCAConfigMap(namespace: KubeObject, existing: KubeObject | undefined, ca: string): RootCAPlan {
  if (namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return undefined;
  const data = { 'ca.crt': ca };
  if (!existing) {
    return { create: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIG_MAP, namespace: namespace.metadata.name, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data } };
  }
  const d = (existing.data ?? {}) as Record<string, string>;
  const rightData = Object.keys(d).length === 1 && d['ca.crt'] === ca && !existing.binaryData;
  if (rightData && existing.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION) return undefined;
  const { binaryData: _drop, ...rest } = existing;
  return { update: { ...rest, metadata: { ...existing.metadata, annotations: { ...existing.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data } };
}
