// The pod a Job creates: its template, the tracking finalizer, a controller reference, and for
// Indexed Jobs the completion index (annotation, label, JOB_COMPLETION_INDEX, hostname).
import { newControllerRef, type KubeObject } from '@skiff/api';
import { COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV } from './indexes.ts';
import { INDEX_FAILURE_COUNT_ANNOTATION } from './per-index.ts';
import { JOB_TRACKING_FINALIZER } from './pods.ts';

type Container = { name: string; env?: { name: string }[] } & Record<string, unknown>;

/** `indexFailureCount`: with backoffLimitPerIndex, the failures of the index before this pod. */
export function computeJobPod(job: KubeObject, index?: number, indexFailureCount?: number): KubeObject {
  const template = job.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const name = job.metadata.name!;
  const spec = structuredClone(template.spec ?? {});
  const labels: Record<string, string> = { ...(meta.labels ?? {}) };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    if (indexFailureCount !== undefined) annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(indexFailureCount);
    labels[COMPLETION_INDEX_ANNOTATION] = String(index);
    // A stable hostname per index, as Kubernetes gives Indexed Jobs' pods.
    spec.hostname ??= `${name}-${index}`;
    const env = { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } };
    for (const c of [...((spec.initContainers ?? []) as Container[]), ...((spec.containers ?? []) as Container[])]) {
      if (!(c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) c.env = [...(c.env ?? []), env];
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      finalizers: [...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER],
      ownerReferences: [newControllerRef(job)],
    },
    spec,
  };
}
