// FieldCause builders with the wording of k8s.io/apimachinery/pkg/util/validation/field.
//
// Bad values are printed as field.ErrorBody does since Kubernetes 1.34: strings quoted (%q),
// numbers and booleans bare, and composite values (maps, selectors, structs) as JSON, e.g.
// `Invalid value: {"app":"web"}: \`selector\` does not match template \`labels\``.

import type { FieldCause } from '../object.ts';

/** A value already rendered as it should appear in the message. */
export class RawValue {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Go's %q for the strings that appear in field errors (JSON escaping is the same for them). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's json.Marshal: map keys sorted, no spaces. */
export function goJSON(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined);
    return `{${keys.map((k) => `${goQuote(k)}:${goJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** How ErrorBody prints a bad value. */
export function formatValue(v: unknown): string {
  if (v instanceof RawValue) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return goJSON(v);
}

function sortedMap(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
}

/** A label map as the bad value of a field error: `{"app":"web"}` (null when unset). */
export function mapValue(m: Record<string, string> | undefined | null): RawValue {
  return new RawValue(m == null ? 'null' : goJSON(sortedMap(m)));
}

/** A LabelSelector as JSON with Go's omitempty: `{"matchLabels":{"app":"web"}}`. */
export function labelSelectorValue(
  s: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined,
): RawValue {
  if (s == null) return new RawValue('null');
  const out: Record<string, unknown> = {};
  if (s.matchLabels && Object.keys(s.matchLabels).length) out.matchLabels = sortedMap(s.matchLabels);
  if (s.matchExpressions?.length) {
    out.matchExpressions = s.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values?.length ? { values: e.values } : {}) }));
  }
  return new RawValue(goJSON(out));
}

/** An IntOrString marshals as its int or its string: `"25%"` or `0`. */
export function intOrStringValue(v: number | string | undefined): RawValue {
  return new RawValue(goJSON(v ?? 0));
}

function body(type: string, value: unknown, detail: string, showValue: boolean): string {
  let s = showValue ? `${type}: ${formatValue(value)}` : type;
  if (detail) s += `: ${detail}`;
  return s;
}

export function required(field: string, detail = ''): FieldCause {
  return { reason: 'FieldValueRequired', message: body('Required value', undefined, detail, false), field };
}

export function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', message: body('Invalid value', value, detail, true), field };
}

export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldCause {
  const detail = valid.length > 0 ? `supported values: ${valid.map(goQuote).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', message: body('Unsupported value', value, detail, true), field };
}

export function duplicate(field: string, value: unknown): FieldCause {
  return { reason: 'FieldValueDuplicate', message: body('Duplicate value', value, '', true), field };
}

export function notFound(field: string, value: unknown): FieldCause {
  return { reason: 'FieldValueNotFound', message: body('Not found', value, '', true), field };
}

export function forbidden(field: string, detail: string): FieldCause {
  return { reason: 'FieldValueForbidden', message: body('Forbidden', undefined, detail, false), field };
}

export function tooLong(field: string, max: number): FieldCause {
  return { reason: 'FieldValueTooLong', message: body('Too long', undefined, `may not be more than ${max} bytes`, false), field };
}

/** One Invalid per message, as Kubernetes reports each broken rule of a value separately. */
export function invalidEach(field: string, value: unknown, messages: readonly string[]): FieldCause[] {
  return messages.map((m) => invalid(field, value, m));
}

export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE = 'field is immutable';

export function nonNegative(field: string, value: number | undefined): FieldCause[] {
  return value !== undefined && value < 0 ? [invalid(field, value, IS_NEGATIVE)] : [];
}

/** `Deployment.apps "web"`: how the 422 message names the object. */
export function qualifiedKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

/**
 * The Status message of a 422, e.g.
 * `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`
 * (several causes are joined inside brackets, as errors.NewInvalid aggregates them).
 */
export function invalidMessage(group: string, kind: string, name: string, causes: readonly FieldCause[]): string {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const agg = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return `${qualifiedKind(group, kind)} ${goQuote(name)} is invalid: ${agg}`;
}
