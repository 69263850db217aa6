// Finds the fields of NOT_ENFORCED (../not-enforced.ts) that a write sets, for the API server's
// `Warning: <path> is stored but not enforced` headers. Walks only the parts of an object that can
// lead to such a field: a guide per model type, computed once, says which fields to descend into.

import { NOT_ENFORCED } from '../not-enforced.ts';
import { modelType, modelTypeIdOf } from './model.ts';

interface Guide {
  /** Fields to report when set. */
  flagged: Set<string>;
  /** Fields whose value (or whose elements' or map values') type holds flagged fields below. */
  descend: Map<string, Guide>;
}

const flaggedByType = new Map<string, Set<string>>();
for (const entry of NOT_ENFORCED) {
  const dot = entry.lastIndexOf('.');
  const type = entry.slice(0, dot);
  const set = flaggedByType.get(type) ?? new Set<string>();
  set.add(entry.slice(dot + 1));
  flaggedByType.set(type, set);
}

const guides = new Map<string, Guide | null>();

function elementType(ref: string): string {
  let r = ref;
  while (r.startsWith('[]') || r.startsWith('{}')) r = r.slice(2);
  return r;
}

/** The guide of a type, or null when nothing below it is flagged. */
function guideOf(id: string, visiting = new Set<string>()): Guide | null {
  if (guides.has(id)) return guides.get(id)!;
  const def = modelType(id);
  if (!def || visiting.has(id)) return null;
  visiting.add(id);
  const guide: Guide = { flagged: flaggedByType.get(id) ?? new Set(), descend: new Map() };
  for (const [field, ref] of Object.entries(def.props)) {
    const inner = guideOf(elementType(ref), visiting);
    if (inner) guide.descend.set(field, inner);
  }
  visiting.delete(id);
  const result = guide.flagged.size > 0 || guide.descend.size > 0 ? guide : null;
  guides.set(id, result);
  return result;
}

/** Unset, or set to nothing that would need enforcing (`[]`, `{}`, `''`, `false`). */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function own(o: unknown, k: string): unknown {
  return o !== null && typeof o === 'object' && !Array.isArray(o) && Object.hasOwn(o, k) ? (o as Record<string, unknown>)[k] : undefined;
}

function walk(guide: Guide, value: unknown, previous: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(guide, v, Array.isArray(previous) ? previous[i] : undefined, `${path}[${i}]`, out));
    return;
  }
  for (const field of guide.flagged) {
    const v = own(value, field);
    if (!isEmpty(v) && !sameJson(v, own(previous, field))) out.push(`${path}${field}`);
  }
  for (const [field, inner] of guide.descend) {
    if (guide.flagged.has(field)) continue; // reported as a whole
    const v = own(value, field);
    if (v !== undefined) walkValue(inner, v, own(previous, field), `${path}${field}`, out);
  }
}

/** Descends into an object, a list of objects or a map of objects. */
function walkValue(guide: Guide, value: unknown, previous: unknown, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(guide, v, Array.isArray(previous) ? previous[i] : undefined, `${path}[${i}].`, out));
  } else {
    walk(guide, value, previous, `${path}.`, out);
  }
}

/**
 * The paths (`spec.template.spec.topologySpreadConstraints`, `spec.containers[0].envFrom`) of the
 * not-enforced fields `object` sets, leaving out those whose value `previous` (the object before
 * an update) already had: a write hears about what it changes, not about what was stored before.
 */
export function notEnforcedFields(kind: { group: string; version: string; kind: string }, object: unknown, previous?: unknown): string[] {
  const id = modelTypeIdOf(kind);
  const guide = id ? guideOf(id) : null;
  if (!guide) return [];
  const out: string[] = [];
  walk(guide, object, previous, '', out);
  return out;
}

/** The Warning texts for notEnforcedFields. */
export function notEnforcedWarnings(kind: { group: string; version: string; kind: string }, object: unknown, previous?: unknown): string[] {
  return notEnforcedFields(kind, object, previous).map((p) => `${p} is stored but not enforced`);
}
