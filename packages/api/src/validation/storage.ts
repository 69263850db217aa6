// Validation of PersistentVolumeClaim, PersistentVolume (pkg/apis/core/validation) and
// StorageClass (pkg/apis/storage/validation), with their update rules.

import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec, StorageClass } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { compareQuantity, tryParseQuantity } from '../quantity.ts';
import { forbidden, FIELD_IMMUTABLE, invalid, invalidEach, notSupported, RawValue, required } from './errors.ts';
import { nameIsDNSSubdomain, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { validateNodeSelectorTerm } from './pod.ts';
import { isDNS1123Subdomain, isQualifiedName } from './strings.ts';

/** The volume sources of a PersistentVolumeSpec, in the order ValidatePersistentVolumeSpec checks them. */
export const PV_SOURCES = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder',
  'fc', 'flexVolume', 'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'scaleIO', 'local', 'storageos', 'csi',
] as const;

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const SC_RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];

function validateAccessModes(modes: string[] | undefined, field: string, requiredDetail: string): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!modes?.length) errs.push(required(field, requiredDetail));
  let rwop = false;
  let other = false;
  for (const m of modes ?? []) {
    if (!ACCESS_MODES.includes(m)) errs.push(notSupported(field, m, ACCESS_MODES));
    else if (m === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateClassName(name: string | undefined, field: string): FieldCause[] {
  return name ? invalidEach(field, name, isDNS1123Subdomain(name)) : [];
}

/** ValidatePositiveQuantityValue. */
function positiveQuantity(value: unknown, field: string): FieldCause[] {
  const q = tryParseQuantity(value);
  if (!q) return [invalid(field, String(value), 'must be a valid quantity')];
  return compareQuantity(q, 0) <= 0 ? [invalid(field, String(value), 'must be greater than zero')] : [];
}

// ---- PersistentVolumeClaim ----------------------------------------------------------------

export function validatePersistentVolumeClaimSpec(spec: Incoming<PersistentVolumeClaimSpec> | undefined, field: string): FieldCause[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, `${field}.accessModes`, 'at least 1 access mode is required');
  if (s.selector) errs.push(...validateLabelSelector(s.selector, `${field}.selector`));
  const storage = s.resources?.requests?.storage;
  if (storage === undefined) errs.push(required(`${field}.resources[storage]`));
  else errs.push(...positiveQuantity(storage, `${field}.resources[storage]`));
  errs.push(...validateClassName(s.storageClassName, `${field}.storageClassName`));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(`${field}.volumeMode`, s.volumeMode, VOLUME_MODES));
  for (const ref of ['dataSource', 'dataSourceRef'] as const) {
    const d = s[ref];
    if (!d) continue;
    if (!d.name) errs.push(required(`${field}.${ref}.name`));
    if (!d.kind) errs.push(required(`${field}.${ref}.kind`));
    if (!d.apiGroup && d.kind !== 'PersistentVolumeClaim') errs.push(invalid(`${field}.${ref}`, d.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: Incoming<PersistentVolumeClaim>): FieldCause[] {
  return [...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain), ...validatePersistentVolumeClaimSpec(pvc.spec, 'spec')];
}

/**
 * Claims are immutable after creation, except: volumeName may be set once (binding), a claim
 * without a class may get one, and a bound claim may ask for more storage (never less).
 */
export function validatePersistentVolumeClaimUpdate(pvc: Incoming<PersistentVolumeClaim>, old: Incoming<PersistentVolumeClaim>): FieldCause[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  errs.push(...validatePersistentVolumeClaim(pvc).filter((c) => !c.field.startsWith('metadata.')));
  const next = structuredClone(pvc.spec ?? {});
  const prev = structuredClone(old.spec ?? {});
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  if (prev.storageClassName === undefined && next.storageClassName !== undefined) prev.storageClassName = next.storageClassName;
  const requests = next.resources?.requests;
  if (pvc.status?.phase === 'Bound' && requests) {
    const before = old.spec?.resources?.requests?.storage;
    if (before === undefined) delete requests.storage;
    else requests.storage = before;
  }
  next.volumeAttributesClassName = prev.volumeAttributesClassName;
  for (const o of [next, prev]) if (o.volumeName === undefined) delete o.volumeName;
  if (JSON.stringify(canonical(next)) !== JSON.stringify(canonical(prev))) {
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  const newSize = pvc.spec?.resources?.requests?.storage;
  const oldSize = old.spec?.resources?.requests?.storage;
  if (newSize !== undefined && oldSize !== undefined && tryParseQuantity(newSize) && tryParseQuantity(oldSize) && compareQuantity(newSize, oldSize) < 0) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  if ((pvc.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalid('volumeMode', pvc.spec?.volumeMode ?? null, FIELD_IMMUTABLE));
  return errs;
}

/** JSON with sorted keys and undefined dropped, for order-independent comparison. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (e !== undefined) out[k] = canonical(e);
    return out;
  }
  return v;
}

// ---- PersistentVolume ---------------------------------------------------------------------

function validatePVSource(spec: Incoming<PersistentVolumeSpec>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let n = 0;
  for (const src of PV_SOURCES) {
    if (spec[src] === undefined) continue;
    if (n > 0) {
      errs.push(forbidden(`${field}.${src}`, 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    if (src === 'hostPath') {
      if (!spec.hostPath?.path) errs.push(required(`${field}.hostPath.path`));
    } else if (src === 'local') {
      if (!spec.local?.path) errs.push(required(`${field}.local.path`));
      if (!spec.nodeAffinity?.required) errs.push(required(`${field}.nodeAffinity`, 'Local volume requires node affinity'));
    } else if (src === 'nfs') {
      const v = spec.nfs;
      if (!v?.server) errs.push(required(`${field}.nfs.server`));
      if (!v?.path) errs.push(required(`${field}.nfs.path`));
      else if (!String(v.path).startsWith('/')) errs.push(invalid(`${field}.nfs.path`, v.path, 'must be an absolute path'));
    } else if (src === 'csi') {
      if (!spec.csi?.driver) errs.push(required(`${field}.csi.driver`));
      if (!spec.csi?.volumeHandle) errs.push(required(`${field}.csi.volumeHandle`));
    }
  }
  if (n === 0) errs.push(required(field, 'must specify a volume type'));
  return errs;
}

/** `core.ResourceList{"cpu":"1"}`-like rendering of a capacity map, for the NotSupported message. */
function resourceListValue(m: Record<string, string> | undefined): RawValue {
  const entries = Object.keys(m ?? {})
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m![k])}`);
  return new RawValue(`core.ResourceList{${entries.join(', ')}}`);
}

export function validatePersistentVolumeSpec(spec: Incoming<PersistentVolumeSpec> | undefined, field: string): FieldCause[] {
  const s = spec ?? {};
  const errs = validateAccessModes(s.accessModes, `${field}.accessModes`, '');
  const capacity = s.capacity;
  const keys = Object.keys(capacity ?? {});
  if (keys.length === 0) errs.push(required(`${field}.capacity`));
  if (!keys.includes('storage') || keys.length > 1) errs.push(notSupported(`${field}.capacity`, resourceListValue(capacity), ['storage']));
  for (const k of keys.sort()) errs.push(...positiveQuantity(capacity![k], `${field}.capacity[${k}]`));
  if (s.persistentVolumeReclaimPolicy && !PV_RECLAIM_POLICIES.includes(s.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported(`${field}.persistentVolumeReclaimPolicy`, s.persistentVolumeReclaimPolicy, PV_RECLAIM_POLICIES));
  }
  const req = s.nodeAffinity?.required;
  if (s.nodeAffinity && req) {
    const f = `${field}.nodeAffinity.required.nodeSelectorTerms`;
    if (!req.nodeSelectorTerms?.length) errs.push(required(f, 'must have at least one node selector term'));
    else req.nodeSelectorTerms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${f}[${i}]`)));
  }
  errs.push(...validatePVSource(s, field));
  errs.push(...validateClassName(s.storageClassName, `${field}.storageClassName`));
  if (s.volumeMode !== undefined && !VOLUME_MODES.includes(s.volumeMode)) errs.push(notSupported(`${field}.volumeMode`, s.volumeMode, VOLUME_MODES));
  return errs;
}

export function validatePersistentVolume(pv: Incoming<PersistentVolume>): FieldCause[] {
  return [...validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain), ...validatePersistentVolumeSpec(pv.spec, 'spec')];
}

/** The volume source, volumeMode and a set nodeAffinity are fixed; claimRef, capacity and the rest may change. */
export function validatePersistentVolumeUpdate(pv: Incoming<PersistentVolume>, old: Incoming<PersistentVolume>): FieldCause[] {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata);
  errs.push(...validatePersistentVolume(pv).filter((c) => !c.field.startsWith('metadata.')));
  const source = (s: Incoming<PersistentVolumeSpec> | undefined) => canonical(Object.fromEntries(PV_SOURCES.map((k) => [k, s?.[k]])));
  if (JSON.stringify(source(pv.spec)) !== JSON.stringify(source(old.spec))) {
    errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  if ((pv.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalid('volumeMode', pv.spec?.volumeMode ?? null, FIELD_IMMUTABLE));
  if (old.spec?.nodeAffinity && JSON.stringify(canonical(pv.spec?.nodeAffinity)) !== JSON.stringify(canonical(old.spec.nodeAffinity))) {
    errs.push(invalid('nodeAffinity', new RawValue('<node affinity>'), FIELD_IMMUTABLE));
  }
  return errs;
}

// ---- StorageClass -------------------------------------------------------------------------

export function validateStorageClass(sc: Incoming<StorageClass>): FieldCause[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  if (!sc.provisioner) errs.push(required('provisioner'));
  else errs.push(...invalidEach('provisioner', sc.provisioner, isQualifiedName(String(sc.provisioner).toLowerCase())));
  const params = sc.parameters ?? {};
  const keys = Object.keys(params);
  if (keys.length > 512) errs.push({ reason: 'FieldValueTooLong', field: 'parameters', message: 'Too long: may not have more than 512 items' });
  else {
    let size = 0;
    for (const k of keys) {
      if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
      size += k.length + params[k].length;
    }
    if (size > 256 * 1024) errs.push({ reason: 'FieldValueTooLong', field: 'parameters', message: `Too long: may not be more than ${256 * 1024} bytes` });
  }
  if (sc.reclaimPolicy && !SC_RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, SC_RECLAIM_POLICIES));
  if (sc.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  return errs;
}

export function validateStorageClassUpdate(sc: Incoming<StorageClass>, old: Incoming<StorageClass>): FieldCause[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata);
  if (JSON.stringify(canonical(sc.parameters ?? {})) !== JSON.stringify(canonical(old.parameters ?? {}))) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(invalid('volumeBindingMode', sc.volumeBindingMode ?? null, FIELD_IMMUTABLE));
  return errs;
}
