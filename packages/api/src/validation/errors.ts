// FieldCause builders with the wording of k8s.io/apimachinery/pkg/util/validation/field, and
// the bits of Go value formatting (%q, %#v) that show up inside Kubernetes' messages.

import type { FieldCause } from '../object.ts';

/** A value already rendered the way Go's %#v would print it. */
export class GoRepr {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** Go's %q for the strings that appear in field errors (JSON escaping is the same for them). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** How ErrorBody prints a bad value: strings quoted, numbers and booleans bare. */
export function formatValue(v: unknown): string {
  if (v instanceof GoRepr) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export function goStringMap(m: Record<string, string> | undefined | null): GoRepr {
  if (m == null) return new GoRepr('map[string]string(nil)');
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k])}`);
  return new GoRepr(`map[string]string{${entries.join(', ')}}`);
}

function goStrings(v: string[] | undefined): string {
  return v == null ? '[]string(nil)' : `[]string{${v.map(goQuote).join(', ')}}`;
}

/** `v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function goLabelSelector(s: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): GoRepr {
  if (s == null) return new GoRepr('null');
  const exprs =
    s.matchExpressions == null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${s.matchExpressions
          .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${goStrings(e.values)}}`)
          .join(', ')}}`;
  return new GoRepr(`v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels).text}, MatchExpressions:${exprs}}`);
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(v: number | string | undefined): GoRepr {
  if (typeof v === 'string') return new GoRepr(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
  return new GoRepr(`intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`);
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
