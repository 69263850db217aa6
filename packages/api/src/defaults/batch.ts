// Jobs and CronJobs: SetDefaults_Job and SetDefaults_CronJob (pkg/apis/batch/v1/defaults.go, 1.32),
// with the feature gates 1.32 enables (JobPodReplacementPolicy, JobBackoffLimitPerIndex).
import type { CronJob, Job, JobSpec } from '../model/types.generated.ts';
import type { Incoming } from '../object.ts';
import { defaultPodTemplate } from './pod.ts';

const MAX_INT32 = 2 ** 31 - 1;

/** The defaults every JobSpec gets, in a Job or in a CronJob's jobTemplate. */
function defaultJobSpecNested(spec: Incoming<JobSpec>): void {
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const c of rule.onPodConditions ?? []) if (c.status === undefined) c.status = 'True';
  }
  defaultPodTemplate(spec.template);
}

export function defaultJob(job: Incoming<Job>): void {
  const spec = (job.spec ??= {});
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism === undefined) spec.parallelism = 1;
  if (spec.backoffLimit === undefined) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.podReplacementPolicy === undefined) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  // A Job without labels of its own takes its pod template's.
  const templateLabels = spec.template?.metadata?.labels;
  job.metadata ??= {};
  if (templateLabels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...templateLabels };
  defaultJobSpecNested(spec);
}

export function defaultCronJob(cj: Incoming<CronJob>): void {
  const spec = (cj.spec ??= {});
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend === undefined) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit === undefined) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit === undefined) spec.failedJobsHistoryLimit = 1;
  const jobSpec = spec.jobTemplate?.spec;
  if (jobSpec) defaultJobSpecNested(jobSpec);
}
