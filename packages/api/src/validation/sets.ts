// DaemonSet, StatefulSet and ControllerRevision validation (pkg/apis/apps/validation:
// ValidateDaemonSet, ValidateStatefulSet, ValidateControllerRevision and their updates).

import type { ControllerRevision, DaemonSet, DaemonSetUpdateStrategy, PersistentVolumeClaim, PodTemplateSpec, StatefulSet, StatefulSetSpec, StatefulSetUpdateStrategy, Volume } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { FIELD_IMMUTABLE, forbidden, intOrStringValue, invalid, labelSelectorValue, nonNegative, notSupported, required } from './errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { canonical, validatePersistentVolumeClaimSpec } from './storage.ts';
import { intOrPercentValue, selectorUnchanged, validateAppsSelector, validatePositiveIntOrPercent, validateTemplateForController } from './workloads.ts';

const deepEqualJson = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function validateDaemonSetUpdateStrategy(strategy: Incoming<DaemonSetUpdateStrategy> | undefined, field: string): FieldCause[] {
  const s = strategy ?? {};
  if (s.type === 'OnDelete') return [];
  if (s.type !== 'RollingUpdate') return [notSupported(`${field}.type`, s.type ?? '', ['OnDelete', 'RollingUpdate'])];
  const ru = s.rollingUpdate;
  if (!ru) return [required(`${field}.rollingUpdate`)];
  const f = `${field}.rollingUpdate`;
  const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, `${f}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${f}.maxSurge`)];
  const unavailable = intOrPercentValue(ru.maxUnavailable ?? 0);
  const surge = intOrPercentValue(ru.maxSurge ?? 0);
  if (unavailable === 0 && surge === 0) errs.push(invalid(`${f}.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  if (unavailable > 0 && surge > 0) errs.push(invalid(`${f}.maxSurge`, intOrStringValue(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (typeof ru.maxUnavailable === 'string' && unavailable > 100) errs.push(invalid(`${f}.maxUnavailable`, intOrStringValue(ru.maxUnavailable), 'must not be greater than 100%'));
  if (typeof ru.maxSurge === 'string' && surge > 100) errs.push(invalid(`${f}.maxSurge`, intOrStringValue(ru.maxSurge), 'must not be greater than 100%'));
  return errs;
}

export function validateDaemonSet(ds: Incoming<DaemonSet>): FieldCause[] {
  const spec = ds.spec ?? {};
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain);
  const { errs: selErrs, selector } = validateAppsSelector(spec, 'spec', 'daemonset');
  errs.push(...selErrs);
  if (selector) errs.push(...validateTemplateForController(spec.template, selector, 'spec.template', 'DaemonSet'));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  errs.push(...validateDaemonSetUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  return errs;
}

export function validateDaemonSetUpdate(next: Incoming<DaemonSet>, prev: Incoming<DaemonSet>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validateDaemonSet(next).filter((c) => !c.field.startsWith('metadata.')));
  if (!selectorUnchanged(next.spec?.selector, prev.spec?.selector)) errs.push(invalid('spec.selector', labelSelectorValue(next.spec?.selector), FIELD_IMMUTABLE));
  return errs;
}

function validateStatefulSetUpdateStrategy(strategy: Incoming<StatefulSetUpdateStrategy> | undefined, field: string): FieldCause[] {
  const s = strategy ?? {};
  switch (s.type) {
    case undefined:
    case '':
      return [required(`${field}.type`)];
    case 'OnDelete':
      return s.rollingUpdate !== undefined ? [invalid(`${field}.rollingUpdate`, s.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      const errs = nonNegative(`${field}.rollingUpdate.partition`, s.rollingUpdate?.partition);
      // MaxUnavailableStatefulSet: a positive count, or a percentage not 0 and not past 100%.
      const mu = s.rollingUpdate?.maxUnavailable;
      if (mu !== undefined && mu !== null) {
        const f = `${field}.rollingUpdate.maxUnavailable`;
        errs.push(...validatePositiveIntOrPercent(mu, f));
        if (intOrPercentValue(mu) === 0) errs.push(invalid(f, intOrStringValue(mu), 'cannot be 0'));
        if (typeof mu === 'string' && intOrPercentValue(mu) > 100) errs.push(invalid(f, intOrStringValue(mu), 'must not be greater than 100%'));
      }
      return errs;
    }
    default:
      return [invalid(`${field}.type`, s.type, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

const RETENTION = ['Retain', 'Delete'];

export function validateStatefulSet(sts: Incoming<StatefulSet>): FieldCause[] {
  const spec = sts.spec ?? {};
  const errs = validateObjectMeta(sts.metadata, true, nameIsDNSSubdomain);
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(required('spec.podManagementPolicy', ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateStatefulSetUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  const retention = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    if (retention[k] !== undefined && !RETENTION.includes(retention[k])) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, retention[k], RETENTION));
  }
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (spec.ordinals?.start !== undefined) errs.push(...nonNegative('spec.ordinals.start', spec.ordinals.start));
  const { errs: selErrs, selector } = validateAppsSelector(spec, 'spec', 'statefulset');
  errs.push(...selErrs);
  if (selector) errs.push(...validateTemplateForController(withClaimVolumes(spec.template, spec.volumeClaimTemplates), selector, 'spec.template', 'StatefulSet'));
  (spec.volumeClaimTemplates ?? []).forEach((claim, i) => {
    const f = `spec.volumeClaimTemplates[${i}]`;
    if (!claim?.metadata?.name) errs.push(required(`${f}.metadata.name`, 'name or generateName is required'));
    errs.push(...validatePersistentVolumeClaimSpec(claim?.spec, `${f}.spec`));
  });
  return errs;
}

/** The template as its pods get it: a volume per claim template, so mounts may name them. */
function withClaimVolumes(template: Incoming<PodTemplateSpec> | undefined, claims: Incoming<PersistentVolumeClaim>[] | undefined): Incoming<PodTemplateSpec> | undefined {
  if (!template?.spec || !claims?.length) return template;
  const volumes: Incoming<Volume>[] = [...(template.spec.volumes ?? [])];
  for (const c of claims) {
    const name = c?.metadata?.name;
    if (name && !volumes.some((v) => v?.name === name)) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  }
  return { ...template, spec: { ...template.spec, volumes } };
}

/** What an update of a StatefulSet's spec may change (Kubernetes' message names them). */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(next: Incoming<StatefulSet>, prev: Incoming<StatefulSet>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validateStatefulSet(next).filter((c) => !c.field.startsWith('metadata.')));
  const strip = (spec: Incoming<StatefulSetSpec> | undefined) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !MUTABLE.includes(k)));
  if (!deepEqualJson(strip(next.spec), strip(prev.spec))) {
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export function validateControllerRevision(cr: Incoming<ControllerRevision>): FieldCause[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data === undefined || cr.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative('revision', cr.revision));
  return errs;
}

export function validateControllerRevisionUpdate(next: Incoming<ControllerRevision>, prev: Incoming<ControllerRevision>): FieldCause[] {
  const errs = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errs.push(...validateControllerRevision(next).filter((c) => !c.field.startsWith('metadata.')));
  if (!deepEqualJson(next.data, prev.data)) errs.push(invalid('data', next.data, FIELD_IMMUTABLE));
  return errs;
}
