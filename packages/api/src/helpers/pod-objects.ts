// Every object a pod uses by name (podutil.VisitPodSecretNames / VisitPodConfigmapNames and the
// claims of its volumes): what the Node authorizer lets the pod's node read.
import type { KubeObject } from '../object.ts';
import type { Volume } from '../model/types.generated.ts';

export interface PodObjects {
  secrets: Set<string>;
  configMaps: Set<string>;
  claims: Set<string>;
  serviceAccount: string;
}

interface EnvSource {
  env?: { valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
}

export function podObjects(pod: KubeObject): PodObjects {
  const out: PodObjects = { secrets: new Set(), configMaps: new Set(), claims: new Set(), serviceAccount: pod.spec?.serviceAccountName || 'default' };
  const add = (set: Set<string>, name: string | undefined) => {
    if (name) set.add(name);
  };
  const spec = pod.spec ?? {};
  for (const s of (spec.imagePullSecrets ?? []) as { name?: string }[]) add(out.secrets, s.name);
  const containers: EnvSource[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  for (const c of containers) {
    for (const f of c.envFrom ?? []) {
      add(out.configMaps, f.configMapRef?.name);
      add(out.secrets, f.secretRef?.name);
    }
    for (const e of c.env ?? []) {
      add(out.configMaps, e.valueFrom?.configMapKeyRef?.name);
      add(out.secrets, e.valueFrom?.secretKeyRef?.name);
    }
  }
  for (const v of (spec.volumes ?? []) as Volume[]) {
    add(out.secrets, v.secret?.secretName);
    add(out.configMaps, v.configMap?.name);
    add(out.claims, v.persistentVolumeClaim?.claimName);
    if (v.ephemeral) add(out.claims, `${pod.metadata.name}-${v.name}`);
    add(out.secrets, v.csi?.nodePublishSecretRef?.name);
    for (const s of v.projected?.sources ?? []) {
      add(out.secrets, s.secret?.name);
      add(out.configMaps, s.configMap?.name);
    }
  }
  return out;
}
