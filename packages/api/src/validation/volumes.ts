// The sources of pod volumes and the references to ConfigMaps and Secrets in env, envFrom and
// volumes, as Kubernetes' validation checks them (pkg/apis/core/validation: validateVolumeSource,
// validateKeyToPath, validateConfigMapKeySelector, validateEnvFrom): names required, keys legal
// config keys, file modes within 0..0777, paths relative without '..'. Exactly one source per
// volume and per projection is checked in pod.ts / here.

import type { ConfigMapKeySelector, DownwardAPIVolumeFile, EnvFromSource, KeyToPath, ProjectedVolumeSource, SecretKeySelector, Volume } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { forbidden, invalid, invalidEach, required } from './errors.ts';
import { nameIsDNSSubdomain } from './meta.ts';
import { isConfigMapKey, isEnvVarName } from './strings.ts';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function fileMode(mode: unknown, field: string): FieldCause[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [invalid(field, mode, FILE_MODE_ERROR)] : [];
}

/** validateLocalNonReservedPath: relative, no '..' element, not starting with '..'. */
function localPath(path: string, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (path.startsWith('/')) errs.push(invalid(field, path, 'must be a relative path'));
  if (path.split('/').includes('..')) errs.push(invalid(field, path, "must not contain '..'"));
  if (path.startsWith('..')) errs.push(invalid(field, path, "must not start with '..'"));
  return errs;
}

function keyToPaths(items: Incoming<KeyToPath>[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (items ?? []).forEach((kp, i) => {
    const f = `${field}[${i}]`;
    if (!kp.key) errs.push(required(`${f}.key`));
    if (!kp.path) errs.push(required(`${f}.path`));
    else errs.push(...localPath(kp.path, `${f}.path`));
    errs.push(...fileMode(kp.mode, `${f}.mode`));
  });
  return errs;
}

function downwardItems(items: Incoming<DownwardAPIVolumeFile>[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (items ?? []).forEach((d, i) => {
    const f = `${field}[${i}]`;
    if (!d.path) errs.push(required(`${f}.path`));
    else errs.push(...localPath(d.path, `${f}.path`));
    errs.push(...fileMode(d.mode, `${f}.mode`));
    const n = (d.fieldRef ? 1 : 0) + (d.resourceFieldRef ? 1 : 0);
    if (n === 0) errs.push(required(f, 'one of fieldRef and resourceFieldRef is required'));
    else if (n > 1) errs.push(invalid(`${f}.fieldRef`, '', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  });
  return errs;
}

const PROJECTION_SOURCES = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'] as const;

function projected(p: Incoming<ProjectedVolumeSource>, field: string): FieldCause[] {
  const errs = fileMode(p.defaultMode, `${field}.defaultMode`);
  (p.sources ?? []).forEach((s, i) => {
    const f = `${field}.sources[${i}]`;
    const set = PROJECTION_SOURCES.filter((k) => s[k] !== undefined);
    if (set.length === 0) errs.push(required(f, 'must specify exactly 1 of: secret, configMap, downwardAPI, serviceAccountToken, clusterTrustBundle'));
    set.slice(1).forEach((k) => errs.push(forbidden(`${f}.${k}`, 'may not specify more than 1 volume type per source')));
    if (s.secret) errs.push(...keyToPaths(s.secret.items, `${f}.secret.items`));
    if (s.configMap) errs.push(...keyToPaths(s.configMap.items, `${f}.configMap.items`));
    if (s.downwardAPI) errs.push(...downwardItems(s.downwardAPI.items, `${f}.downwardAPI.items`));
    if (s.serviceAccountToken && !s.serviceAccountToken.path) errs.push(required(`${f}.serviceAccountToken.path`));
  });
  return errs;
}

/** The rules of the one source a volume has (the count itself is checked by the caller). */
export function validateVolumeSource(v: Incoming<Volume>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (v.hostPath && !v.hostPath.path) errs.push(required(`${field}.hostPath.path`));
  if (v.configMap) {
    if (!v.configMap.name) errs.push(required(`${field}.configMap.name`));
    errs.push(...fileMode(v.configMap.defaultMode, `${field}.configMap.defaultMode`));
    errs.push(...keyToPaths(v.configMap.items, `${field}.configMap.items`));
  }
  if (v.secret) {
    if (!v.secret.secretName) errs.push(required(`${field}.secret.secretName`));
    errs.push(...fileMode(v.secret.defaultMode, `${field}.secret.defaultMode`));
    errs.push(...keyToPaths(v.secret.items, `${field}.secret.items`));
  }
  if (v.downwardAPI) {
    errs.push(...fileMode(v.downwardAPI.defaultMode, `${field}.downwardAPI.defaultMode`));
    errs.push(...downwardItems(v.downwardAPI.items, `${field}.downwardAPI.items`));
  }
  if (v.projected) errs.push(...projected(v.projected, `${field}.projected`));
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(`${field}.persistentVolumeClaim.claimName`));
  return errs;
}

/** validateConfigMapKeySelector / validateSecretKeySelector. */
export function validateKeySelector(s: Incoming<ConfigMapKeySelector | SecretKeySelector>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!s.name) errs.push(required(`${field}.name`));
  else errs.push(...invalidEach(`${field}.name`, s.name, nameIsDNSSubdomain(s.name, false)));
  if (!s.key) errs.push(required(`${field}.key`));
  else errs.push(...invalidEach(`${field}.key`, s.key, isConfigMapKey(s.key)));
  return errs;
}

/** validateEnvFrom: a legal prefix and exactly one of configMapRef and secretRef, each named. */
export function validateEnvFrom(envFrom: Incoming<EnvFromSource>[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (envFrom ?? []).forEach((e, i) => {
    const f = `${field}[${i}]`;
    if (e.prefix) errs.push(...invalidEach(`${f}.prefix`, e.prefix, isEnvVarName(e.prefix)));
    const refs = (['configMapRef', 'secretRef'] as const).filter((k) => e[k] !== undefined);
    for (const k of refs) {
      const name = e[k]?.name;
      if (!name) errs.push(required(`${f}.${k}.name`));
      else errs.push(...invalidEach(`${f}.${k}.name`, name, nameIsDNSSubdomain(name, false)));
    }
    if (refs.length === 0) errs.push(invalid(field, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (refs.length > 1) errs.push(forbidden(field, 'may not have more than one field specified at a time'));
  });
  return errs;
}
