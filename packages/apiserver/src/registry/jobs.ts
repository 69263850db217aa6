// A Job's generated selector (the job strategy's generateSelector, pkg/registry/batch/job): unless
// spec.manualSelector is true, the pod template is labelled with the Job's uid and name, and the
// selector selects the uid, so a Job never adopts another's pods.
import { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL, type KubeObject } from '@skiff/api';

export function generateJobSelector(job: KubeObject): void {
  const spec = (job.spec ??= {});
  if (spec.manualSelector === true) return;
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  const template = (spec.template ??= {});
  const labels: Record<string, string> = (template.metadata ??= {}).labels ??= {};
  // Labels the user set are kept: a conflicting one fails validation.
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[k] ??= name;
  for (const k of [LEGACY_JOB_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) labels[k] ??= uid;
  const selector = (spec.selector ??= {});
  const matchLabels: Record<string, string> = (selector.matchLabels ??= {});
  matchLabels[JOB_CONTROLLER_UID_LABEL] ??= uid;
  // Kubernetes' defaulting shares the template's label map with a Job that has no labels of its
  // own, so such a Job carries the generated labels too.
  if (Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
}
