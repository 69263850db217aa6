// Jobs and CronJobs, with kubectl's columns (printJob and printCronJob in
// pkg/printers/internalversion/printers.go).
import { modelDocs, parseTime, type KubeObject } from '@skiff/api';
import { ageSince, humanDuration } from './duration.ts';
import { containerCells, formatLabelSelector } from './format.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

const doc = (type: string, fieldName: string) => modelDocs(`io.k8s.api.batch.v1.${type}`)?.[fieldName] ?? '';

const CONTAINERS = column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
const IMAGES = column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });

function hasCondition(job: KubeObject, type: string): boolean {
  return ((job.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === type && c.status === 'True');
}

/** The STATUS column: the first of these that holds. */
export function jobStatusCell(job: KubeObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completionsCell(job: KubeObject): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined && job.spec?.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationCell(job: KubeObject, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (Number.isNaN(start)) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

const selectorCell = (selector: unknown) => formatLabelSelector(selector as never);

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', doc('JobStatus', 'succeeded')),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', doc('JobSpec', 'selector'), { priority: 1 }),
  ],
  cells(job, now) {
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [job.metadata.name ?? '', jobStatusCell(job), completionsCell(job), durationCell(job, now), ageSince(job.metadata.creationTimestamp, now), names, images, selectorCell(job.spec?.selector)];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'string', doc('CronJobSpec', 'schedule')),
    column('Timezone', 'string', doc('CronJobSpec', 'timeZone')),
    column('Suspend', 'boolean', doc('CronJobSpec', 'suspend')),
    column('Active', 'integer', doc('CronJobStatus', 'active')),
    column('Last Schedule', 'string', doc('CronJobStatus', 'lastScheduleTime')),
    AGE_COLUMN,
    CONTAINERS,
    IMAGES,
    column('Selector', 'string', doc('JobSpec', 'selector'), { priority: 1 }),
  ],
  cells(cj, now) {
    const spec = cj.spec ?? {};
    const [names, images] = containerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    const last = cj.status?.lastScheduleTime;
    return [
      cj.metadata.name ?? '',
      spec.schedule ?? '',
      spec.timeZone ?? '<none>',
      // printBoolPtr
      spec.suspend === undefined ? '<unset>' : spec.suspend ? 'True' : 'False',
      (cj.status?.active ?? []).length,
      last ? ageSince(last, now) : '<none>',
      ageSince(cj.metadata.creationTimestamp, now),
      names,
      images,
      selectorCell(spec.jobTemplate?.spec?.selector),
    ];
  },
};
