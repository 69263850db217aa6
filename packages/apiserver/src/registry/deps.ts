// TEMPORARY adapter: binds the API server to pieces other engineers are still landing
// (@skiff/api validation/defaults/selectors, ../patch, ../tables). Each binding uses the real
// export when present and a minimal stand-in otherwise. Removed once everything has landed.
import * as api from '@skiff/api';
import type { FieldCause, KubeObject, ResourceInfo } from '@skiff/api';

const A = api as Record<string, any>;

export type Matcher = (obj: KubeObject) => boolean;

export function applyDefaults(r: ResourceInfo, obj: KubeObject): KubeObject {
  if (typeof A.applyDefaults === 'function') return A.applyDefaults(r, obj) ?? obj;
  return obj;
}

export function validateCreate(r: ResourceInfo, obj: KubeObject): FieldCause[] {
  if (typeof A.validateCreate === 'function') return A.validateCreate(r, obj);
  const causes: FieldCause[] = [];
  const name = obj.metadata?.name;
  if (!name) causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  else if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name))
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`, field: 'metadata.name' });
  if (typeof obj.spec?.replicas === 'number' && obj.spec.replicas < 0)
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${obj.spec.replicas}: must be greater than or equal to 0`, field: 'spec.replicas' });
  return causes;
}

export function validateUpdate(r: ResourceInfo, obj: KubeObject, old: KubeObject): FieldCause[] {
  if (typeof A.validateUpdate === 'function') return A.validateUpdate(r, obj, old);
  return validateCreate(r, obj);
}

/**
 * Decodes a body for a resource as Kubernetes' decoder does: unknown fields dropped and listed,
 * type errors reported as a message (400). Without the api package's decoder: unknown fields
 * from findUnknownFields (if any), the object as given.
 */
export function decodeResource(r: ResourceInfo, raw: Record<string, unknown>): { ok: true; object: KubeObject; unknownFields: string[] } | { ok: false; message: string } {
  if (typeof A.decodeObject === 'function') return A.decodeObject(r, raw);
  const unknownFields: string[] = typeof A.findUnknownFields === 'function' ? A.findUnknownFields(r, raw) : [];
  return { ok: true, object: raw as KubeObject, unknownFields };
}

const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
export function generateNameSuffix(): string {
  if (typeof A.randomNameSuffix === 'function') return A.randomNameSuffix();
  let s = '';
  for (let i = 0; i < 5; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return s;
}

/** Parses a label selector into a matcher; throws Error with a user-facing message when malformed. */
export function labelMatcher(selector: string): Matcher {
  if (typeof A.parseSelector === 'function' && typeof A.matches === 'function') {
    const sel = A.parseSelector(selector);
    return (obj) => A.matches(sel, obj.metadata?.labels);
  }
  const reqs = selector.split(',').map((s) => s.trim()).filter(Boolean).map((term) => {
    let m = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(term);
    if (m) {
      const [, k, op, v] = m;
      return op === '!=' ? (l: Record<string, string>) => l[k] !== v : (l: Record<string, string>) => l[k] === v;
    }
    m = /^(!?)([A-Za-z0-9./_-]+)$/.exec(term);
    if (m) {
      const [, neg, k] = m;
      return neg ? (l: Record<string, string>) => !(k in l) : (l: Record<string, string>) => k in l;
    }
    m = /^([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, k, op, vs] = m;
      const set = new Set(vs.split(',').map((v) => v.trim()));
      return op === 'in' ? (l: Record<string, string>) => set.has(l[k]) : (l: Record<string, string>) => !set.has(l[k]);
    }
    throw new Error(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (obj) => {
    const labels = obj.metadata?.labels ?? {};
    return reqs.every((r) => r(labels));
  };
}

function fieldValue(obj: KubeObject, path: string): string {
  let v: any = obj;
  for (const p of path.split('.')) v = v?.[p];
  return v === undefined || v === null ? '' : String(v);
}

/** Parses a field selector into a matcher; throws Error when malformed or a field is not selectable. */
export function fieldMatcher(r: ResourceInfo, selector: string): Matcher {
  if (typeof A.parseFieldSelectorFor === 'function' && typeof A.objectMatchesFields === 'function') {
    const sel = A.parseFieldSelectorFor(r, selector);
    return (obj) => A.objectMatchesFields(r, sel, obj);
  }
  const reqs = selector.split(',').map((s) => s.trim()).filter(Boolean).map((term) => {
    const m = /^([A-Za-z0-9._-]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, k, op, v] = m;
    const allowed = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'spec.unschedulable', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'involvedObject.kind', 'reason', 'type', 'status.podIP', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName'];
    if (!allowed.includes(k)) throw new Error(`field label not supported: ${k}`);
    return op === '!=' ? (o: KubeObject) => fieldValue(o, k) !== v : (o: KubeObject) => fieldValue(o, k) === v;
  });
  return (obj) => reqs.every((q) => q(obj));
}

/** A LabelSelector (or an RC's map) as the selector string a Scale reports. */
export function formatSelector(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '';
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  if (!('matchLabels' in s) && !('matchExpressions' in s)) {
    return Object.entries(sel as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  }
  if (typeof A.formatLabelSelector === 'function') return A.formatLabelSelector(sel);
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

