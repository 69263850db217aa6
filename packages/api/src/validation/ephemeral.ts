// ValidatePodEphemeralContainersUpdate: what a write to pods/NAME/ephemeralcontainers (kubectl
// debug) may do. Ephemeral containers are only ever added: an existing one may not change or go,
// a new one needs a unique name and an image, and may not ask for what only long-running
// containers have (ports, probes, lifecycle hooks, resources, a restart policy). Everything else of
// the pod comes from the stored object, so only this list is checked here.
import type { FieldCause, KubeObject } from '../object.ts';
import type { EphemeralContainer } from '../model/types.generated.ts';
import { duplicate, forbidden, invalid, notFound, required } from './errors.ts';
import { validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label } from './strings.ts';

/** Fields an ephemeral container may not set (Kubernetes' list, as named in its messages). */
const NOT_ALLOWED = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'resizePolicy', 'restartPolicy'] as const;

export function validatePodEphemeralContainersUpdate(pod: KubeObject, old: KubeObject): FieldCause[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const path = 'spec.ephemeralContainers';
  const next: EphemeralContainer[] = pod.spec?.ephemeralContainers ?? [];
  const before: EphemeralContainer[] = old.spec?.ephemeralContainers ?? [];
  const regular = new Set<string>([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c: { name: string }) => c.name));
  const seen = new Set<string>();
  next.forEach((c, i) => {
    const f = `${path}[${i}]`;
    if (!c.name) errs.push(required(`${f}.name`));
    else {
      for (const msg of isDNS1123Label(c.name)) errs.push(invalid(`${f}.name`, c.name, msg));
      if (regular.has(c.name) || seen.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
      seen.add(c.name);
    }
    if (!c.image) errs.push(required(`${f}.image`));
    for (const k of NOT_ALLOWED) {
      const v: unknown = c[k];
      const empty = v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
      if (!empty) errs.push(forbidden(`${f}.${k}`, 'cannot be set for an Ephemeral Container'));
    }
    if (c.targetContainerName && !regular.has(c.targetContainerName)) errs.push(notFound(`${f}.targetContainerName`, c.targetContainerName));
  });
  // Existing ephemeral containers stay exactly as they are.
  for (const o of before) {
    const now = next.find((c) => c.name === o.name);
    if (!now) errs.push(forbidden(path, `existing ephemeral containers "${o.name}" may not be removed`));
    else if (JSON.stringify(now) !== JSON.stringify(o)) errs.push(forbidden(path, `existing ephemeral containers "${o.name}" may not be changed`));
  }
  return errs;
}
