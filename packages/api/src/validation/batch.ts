// Job and CronJob validation (pkg/apis/batch/validation, Kubernetes 1.32): the job spec and its
// pod template, the generated selector, podFailurePolicy, completion modes, the update rules
// (what is immutable once a Job exists) and CronJob schedules and time zones.

import type { CronJob, CronJobSpec, Job, JobSpec, LabelSelector, PodFailurePolicyOnExitCodesRequirement, PodTemplateSpec } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { labelSelectorAsSelector, matches } from '../selectors/labels.ts';
import { CronScheduleError, isKnownTimeZone, parseCronSchedule } from '../helpers/cron.ts';
import { FIELD_IMMUTABLE, duplicate, forbidden, invalid, labelSelectorValue, mapValue, nonNegative, notSupported, required, tooLong, tooMany } from './errors.ts';
import { nameIsDNSSubdomain, validateAnnotations, validateLabelName, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { validatePodTemplateSpec } from './workloads.ts';
import { deepEqual } from '../helpers/equal.ts';

/** The label Kubernetes selects a Job's pods by when it generates the selector. */
export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_PARALLELISM_FOR_INDEXED = 100_000;
const MAX_FAILURE_POLICY_RULES = 20;
const MAX_SUCCESS_POLICY_RULES = 20;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const MAX_MANAGED_BY_LENGTH = 63;
const MAX_EXIT_CODE_VALUES = 255;
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
/** A CronJob's name leaves room for the 11-character suffix of the Jobs it creates. */
const CRONJOB_NAME_MAX = 52;

function validateExitCodes(req: Incoming<PodFailurePolicyOnExitCodesRequirement>, containerNames: ReadonlySet<string | undefined>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (req.containerName !== undefined && !containerNames.has(req.containerName)) {
    errs.push(invalid(`${field}.containerName`, req.containerName, 'must be one of the container or initContainer names in the pod template'));
  }
  if (!['In', 'NotIn'].includes(req.operator ?? '')) errs.push(notSupported(`${field}.operator`, req.operator ?? '', ['In', 'NotIn']));
  const values: number[] = req.values ?? [];
  if (values.length === 0) errs.push(required(`${field}.values`, 'at least one value is required'));
  else if (values.length > MAX_EXIT_CODE_VALUES) errs.push({ reason: 'FieldValueTooMany', field: `${field}.values`, message: `Too many: ${values.length}: must have at most ${MAX_EXIT_CODE_VALUES} items` });
  const seen = new Set<number>();
  values.forEach((v, j) => {
    const f = `${field}.values[${j}]`;
    if (req.operator === 'In' && v === 0) errs.push(invalid(f, v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(duplicate(f, v));
    if (j > 0 && values[j - 1] > v) errs.push(invalid(f, v, 'must be ordered'));
    seen.add(v);
  });
  return errs;
}

/** validateIndexesFormat: "1,3-5,7" in increasing order, every index below completions; the number of indexes. */
function countIndexes(text: string, completions: number): { total: number; error?: string } {
  let total = 0;
  let prev = -1;
  for (const part of text.split(',')) {
    const bounds = part.split('-');
    if (bounds.length > 2) return { total, error: `the fragment "${part}" violates the requirement that an index interval can have at most two parts separated by '-'` };
    const nums: number[] = [];
    for (const b of bounds) {
      if (!/^\d+$/.test(b)) return { total, error: `cannot convert string to integer for index: "${b}"` };
      const n = Number(b);
      if (n >= completions) return { total, error: `too large index: "${b}"` };
      nums.push(n);
    }
    const [from, to = from] = nums;
    if (from <= prev) return { total, error: `non-increasing order, previous: ${prev}, current: ${from}` };
    if (to < from) return { total, error: `non-increasing order, previous: ${from}, current: ${to}` };
    total += to - from + 1;
    prev = to;
  }
  return { total };
}

function validateSuccessPolicy(spec: Incoming<JobSpec>, field: string): FieldCause[] {
  const policy = spec.successPolicy;
  if (policy === undefined || policy === null) return [];
  const errs: FieldCause[] = [];
  if (spec.completionMode !== 'Indexed') errs.push(invalid(field, policy, 'requires indexed completion mode'));
  const rules = policy.rules ?? [];
  if (rules.length === 0) errs.push(required(`${field}.rules`, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > MAX_SUCCESS_POLICY_RULES) errs.push(tooMany(`${field}.rules`, rules.length, MAX_SUCCESS_POLICY_RULES));
  const completions: number = spec.completions ?? 0;
  rules.forEach((rule, i) => {
    const f = `${field}.rules[${i}]`;
    if (rule.succeededCount === undefined && rule.succeededIndexes === undefined) errs.push(required(f, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (rule.succeededIndexes !== undefined) {
      if (rule.succeededIndexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) errs.push(tooLong(`${f}.succeededIndexes`, MAX_SUCCEEDED_INDEXES_LENGTH));
      const counted = countIndexes(rule.succeededIndexes, completions);
      total = counted.total;
      if (counted.error) errs.push(invalid(`${f}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${counted.error}`));
    }
    if (rule.succeededCount !== undefined) {
      errs.push(...nonNegative(`${f}.succeededCount`, rule.succeededCount));
      if (rule.succeededCount > completions) errs.push(invalid(`${f}.succeededCount`, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (rule.succeededIndexes !== undefined && rule.succeededCount > total) errs.push(invalid(`${f}.succeededCount`, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
    }
  });
  return errs;
}

function validatePodFailurePolicy(spec: Incoming<JobSpec>, field: string): FieldCause[] {
  const policy = spec.podFailurePolicy;
  if (!policy) return [];
  const errs: FieldCause[] = [];
  const rules = policy.rules ?? [];
  if (rules.length > MAX_FAILURE_POLICY_RULES) errs.push({ reason: 'FieldValueTooMany', field: `${field}.rules`, message: `Too many: ${rules.length}: must have at most ${MAX_FAILURE_POLICY_RULES} items` });
  const podSpec = spec.template?.spec ?? {};
  const containerNames = new Set<string | undefined>([...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])].map((c) => c.name));
  rules.forEach((rule, i) => {
    const f = `${field}.rules[${i}]`;
    if (!FAILURE_ACTIONS.includes(rule.action ?? '')) errs.push(notSupported(`${f}.action`, rule.action ?? '', FAILURE_ACTIONS));
    else if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) errs.push(forbidden(`${f}.action`, 'requires the backoffLimitPerIndex to be set'));
    const conditions = rule.onPodConditions ?? [];
    if (rule.onExitCodes && conditions.length > 0) errs.push(invalid(f, rule, 'specifying both OnExitCodes and OnPodConditions is not supported'));
    else if (!rule.onExitCodes && conditions.length === 0) errs.push(invalid(f, rule, 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (rule.onExitCodes) errs.push(...validateExitCodes(rule.onExitCodes, containerNames, `${f}.onExitCodes`));
    conditions.forEach((c, j) => {
      const cf = `${f}.onPodConditions[${j}]`;
      if (!['True', 'False', 'Unknown'].includes(c.status ?? '')) errs.push(notSupported(`${cf}.status`, c.status ?? '', ['False', 'True', 'Unknown']));
      if (!c.type) errs.push(required(`${cf}.type`));
      else errs.push(...validateLabelName(c.type, `${cf}.type`));
    });
  });
  return errs;
}

/** validateJobSpec: everything a JobSpec must satisfy in a Job and in a CronJob's jobTemplate. */
function validateJobSpecCommon(spec: Incoming<JobSpec>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  errs.push(...nonNegative(`${field}.parallelism`, spec.parallelism));
  errs.push(...nonNegative(`${field}.completions`, spec.completions));
  errs.push(...nonNegative(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds));
  errs.push(...nonNegative(`${field}.backoffLimit`, spec.backoffLimit));
  errs.push(...nonNegative(`${field}.ttlSecondsAfterFinished`, spec.ttlSecondsAfterFinished));
  const mode = spec.completionMode;
  if (mode !== undefined && !COMPLETION_MODES.includes(mode)) errs.push(notSupported(`${field}.completionMode`, mode, COMPLETION_MODES));
  if (mode === 'Indexed') {
    if (spec.completions === undefined) errs.push(required(`${field}.completions`, 'when completion mode is Indexed'));
    else if (spec.completions > MAX_PARALLELISM_FOR_INDEXED) errs.push(invalid(`${field}.completions`, spec.completions, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED} when completion mode is Indexed`));
    if ((spec.parallelism ?? 0) > MAX_PARALLELISM_FOR_INDEXED) errs.push(invalid(`${field}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED} when completion mode is Indexed`));
  }
  if (spec.backoffLimitPerIndex !== undefined) {
    errs.push(...nonNegative(`${field}.backoffLimitPerIndex`, spec.backoffLimitPerIndex));
    if (mode !== 'Indexed') errs.push(forbidden(`${field}.backoffLimitPerIndex`, 'requires indexed completion mode'));
  }
  if (spec.maxFailedIndexes !== undefined) {
    errs.push(...nonNegative(`${field}.maxFailedIndexes`, spec.maxFailedIndexes));
    if (spec.backoffLimitPerIndex === undefined) errs.push(required(`${field}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined) {
    if (spec.podFailurePolicy && replacement !== 'Failed') errs.push(notSupported(`${field}.podReplacementPolicy`, replacement, ['Failed']));
    else if (!['Failed', 'TerminatingOrFailed'].includes(replacement)) errs.push(notSupported(`${field}.podReplacementPolicy`, replacement, ['Failed', 'TerminatingOrFailed']));
  }
  errs.push(...validatePodFailurePolicy(spec, `${field}.podFailurePolicy`));
  errs.push(...validateSuccessPolicy(spec, `${field}.successPolicy`));
  if (spec.managedBy !== undefined && spec.managedBy !== null) {
    if (typeof spec.managedBy !== 'string' || spec.managedBy === '') errs.push(required(`${field}.managedBy`));
    else if (spec.managedBy.length > MAX_MANAGED_BY_LENGTH) errs.push(tooLong(`${field}.managedBy`, MAX_MANAGED_BY_LENGTH));
  }
  const template = spec.template;
  if (!template) {
    errs.push(required(`${field}.template`));
    return errs;
  }
  errs.push(...validatePodTemplateSpec(template, `${field}.template`));
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    // The generic pod rule already reports a policy outside Always/OnFailure/Never.
    if (restartPolicy === 'Always') errs.push(notSupported(`${field}.template.spec.restartPolicy`, restartPolicy, ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy && restartPolicy !== 'Never') {
    errs.push(invalid(`${field}.template.spec.restartPolicy`, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** ValidateGeneratedSelector: a Job whose selector the API server generated selects its own uid. */
function validateGeneratedSelector(job: Incoming<Job>): FieldCause[] {
  if (job.spec?.manualSelector === true) return [];
  const uid = job.metadata?.uid;
  const sel = job.spec?.selector;
  if (!uid || !sel) return [];
  const errs: FieldCause[] = [];
  if (sel.matchLabels?.[JOB_CONTROLLER_UID_LABEL] !== uid) {
    errs.push(invalid('spec.selector', labelSelectorValue(sel), '`selector` not auto-generated'));
  }
  const labels = job.spec?.template?.metadata?.labels ?? {};
  if (labels[JOB_CONTROLLER_UID_LABEL] !== undefined && labels[JOB_CONTROLLER_UID_LABEL] !== uid) {
    errs.push(invalid(`spec.template.metadata.labels`, mapValue(labels), `must be '${JOB_CONTROLLER_UID_LABEL}=${uid}'`));
  }
  return errs;
}

function validateJobSelector(spec: Incoming<JobSpec>): FieldCause[] {
  const sel = spec.selector;
  if (!sel) return [required('spec.selector')];
  const errs = validateLabelSelector(sel, 'spec.selector');
  try {
    const selector = labelSelectorAsSelector(sel as LabelSelector); // throws on what validateLabelSelector reports
    const labels = spec.template?.metadata?.labels ?? {};
    if (!matches(selector, labels)) errs.push(invalid('spec.template.metadata.labels', mapValue(labels), '`selector` does not match template `labels`'));
  } catch {
    // Reported by validateLabelSelector.
  }
  return errs;
}

export function validateJob(job: Incoming<Job>): FieldCause[] {
  const spec = job.spec ?? {};
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobSelector(spec));
  errs.push(...validateJobSpecCommon(spec, 'spec'));
  return errs;
}

function immutable(field: string, next: unknown, prev: unknown): FieldCause[] {
  return deepEqual(next, prev) ? [] : [invalid(field, next ?? null, FIELD_IMMUTABLE)];
}

/** The pod template of a suspended Job that never started may change its scheduling directives only. */
function templateChangeAllowed(next: Incoming<Job>, prev: Incoming<Job>): boolean {
  if (!(next.spec?.suspend && !prev.status?.startTime)) return false;
  const strip = (t: Incoming<PodTemplateSpec> | undefined) => {
    const spec = { ...(t?.spec ?? {}) };
    for (const k of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates'] as const) delete spec[k];
    return { spec, metadata: { ...(t?.metadata ?? {}), labels: undefined, annotations: undefined } };
  };
  return deepEqual(strip(next.spec?.template), strip(prev.spec?.template));
}

export function validateJobUpdate(next: Incoming<Job>, prev: Incoming<Job>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validateJob(next).filter((c) => !c.field.startsWith('metadata.')));
  const spec = next.spec ?? {};
  const old = prev.spec ?? {};
  errs.push(...immutable('spec.selector', spec.selector, old.selector));
  if (!templateChangeAllowed(next, prev)) errs.push(...immutable('spec.template', spec.template, old.template));
  errs.push(...immutable('spec.completionMode', spec.completionMode, old.completionMode));
  errs.push(...immutable('spec.podFailurePolicy', spec.podFailurePolicy, old.podFailurePolicy));
  errs.push(...immutable('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, old.backoffLimitPerIndex));
  errs.push(...immutable('spec.successPolicy', spec.successPolicy, old.successPolicy));
  errs.push(...immutable('spec.managedBy', spec.managedBy, old.managedBy));
  errs.push(...immutable('spec.manualSelector', spec.manualSelector, old.manualSelector));
  // Elastic Indexed Jobs: completions may change together with parallelism.
  const elastic = spec.completionMode === 'Indexed' && spec.completions === spec.parallelism && old.completions === old.parallelism;
  if (!elastic) errs.push(...immutable('spec.completions', spec.completions, old.completions));
  return errs;
}

function validateTimeZone(tz: unknown): FieldCause[] {
  if (tz === undefined || tz === null) return [];
  if (typeof tz !== 'string' || tz === '') return [invalid('spec.timeZone', tz ?? '', 'timeZone must be nil or non-empty string')];
  if (tz.toLowerCase() === 'local') return [invalid('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!isKnownTimeZone(tz)) return [invalid('spec.timeZone', tz, `unknown time zone ${tz}`)];
  return [];
}

function validateSchedule(spec: Incoming<CronJobSpec>, allowTZ: boolean): FieldCause[] {
  const schedule = spec.schedule;
  if (!schedule) return [required('spec.schedule')];
  const errs: FieldCause[] = [];
  if (schedule.includes('TZ')) {
    if (spec.timeZone !== undefined) errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ) errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    return errs;
  }
  try {
    parseCronSchedule(schedule);
  } catch (err) {
    if (!(err instanceof CronScheduleError)) throw err;
    errs.push(invalid('spec.schedule', schedule, err.message));
  }
  return errs;
}

function validateCronJobSpec(cj: Incoming<CronJob>, allowTZ: boolean): FieldCause[] {
  const spec = cj.spec ?? {};
  const errs = validateSchedule(spec, allowTZ);
  errs.push(...validateTimeZone(spec.timeZone));
  errs.push(...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  if (!spec.concurrencyPolicy) errs.push(required('spec.concurrencyPolicy'));
  else if (!CONCURRENCY_POLICIES.includes(spec.concurrencyPolicy)) errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, CONCURRENCY_POLICIES));
  errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  const tmpl = spec.jobTemplate;
  if (!tmpl) {
    errs.push(required('spec.jobTemplate'));
    return errs;
  }
  errs.push(...validateLabels(tmpl.metadata?.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(tmpl.metadata?.annotations, 'spec.jobTemplate.metadata.annotations'));
  const jobSpec = tmpl.spec ?? {};
  errs.push(...validateJobSpecCommon(jobSpec, 'spec.jobTemplate.spec'));
  // The Jobs it creates get generated selectors.
  if (jobSpec.selector !== undefined) errs.push(invalid('spec.jobTemplate.spec.selector', labelSelectorValue(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  return errs;
}

export function validateCronJob(cj: Incoming<CronJob>): FieldCause[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  const name: string | undefined = cj.metadata?.name;
  if (name && name.length > CRONJOB_NAME_MAX) errs.push(invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  errs.push(...validateCronJobSpec(cj, false));
  return errs;
}

export function validateCronJobUpdate(next: Incoming<CronJob>, prev: Incoming<CronJob>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validateCronJobSpec(next, String(prev.spec?.schedule ?? '').includes('TZ')));
  return errs;
}
