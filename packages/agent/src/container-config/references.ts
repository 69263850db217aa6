// Which ConfigMaps and Secrets a pod's containers refer to (env, envFrom, imagePullSecrets; the
// volumes' own are in volumes/), so that a change to one wakes exactly the pods that use it and a
// container's configuration reads a consistent snapshot of them.
import type { KubeObject } from '@skiff/api';
import type { ObjectKind } from '../volumes/objects.ts';
import type { EnvContainer, ObjectLookup } from './env.ts';

export type PodReferences = Record<ObjectKind, Set<string>>;

export function podReferences(pod: KubeObject): PodReferences {
  const refs: PodReferences = { configMap: new Set(), secret: new Set() };
  const containers: EnvContainer[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) refs.configMap.add(f.configMapRef.name ?? '');
      if (f.secretRef) refs.secret.add(f.secretRef.name ?? '');
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.configMapKeyRef) refs.configMap.add(e.valueFrom.configMapKeyRef.name ?? '');
      if (e.valueFrom?.secretKeyRef) refs.secret.add(e.valueFrom.secretKeyRef.name ?? '');
    }
  }
  for (const s of (pod.spec?.imagePullSecrets ?? []) as { name?: string }[]) if (s.name) refs.secret.add(s.name);
  return refs;
}

/** Fetches the objects a pod's containers refer to, once, into a lookup the pure env code reads. */
export async function snapshotReferences(pod: KubeObject, get: { configMap(ns: string, name: string): Promise<KubeObject | undefined>; secret(ns: string, name: string): Promise<KubeObject | undefined> }): Promise<ObjectLookup> {
  const ns = pod.metadata.namespace ?? 'default';
  const refs = podReferences(pod);
  const fetch = async (kind: ObjectKind) => {
    const names = [...refs[kind]].filter(Boolean);
    const objs = await Promise.all(names.map((n) => (kind === 'configMap' ? get.configMap(ns, n) : get.secret(ns, n))));
    return new Map(names.map((n, i) => [n, objs[i]]));
  };
  const [configMaps, secrets] = await Promise.all([fetch('configMap'), fetch('secret')]);
  return {
    configMap: (namespace, name) => (namespace === ns ? configMaps.get(name) : undefined),
    secret: (namespace, name) => (namespace === ns ? secrets.get(name) : undefined),
  };
}
