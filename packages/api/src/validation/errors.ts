// FieldCause builders with the wording of k8s.io/apimachinery/pkg/util/validation/field as of
// Kubernetes 1.32 (the version skiff's API server reports).
//
// Bad values are printed as that version's field.ErrorBody does: strings quoted (%q), numbers
// and booleans bare, composite values in Go syntax (%#v), e.g.
// `Invalid value: map[string]string{"app":"web"}: \`selector\` does not match template \`labels\``.
// (Kubernetes 1.34 switched composite values to JSON; see mapValue & co. to change that.)

import type { LabelSelector } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';

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

/** `[]string{"a", "b"}`, Go's %#v of a string slice. */
export function goStrings(v: readonly string[] | undefined | null): string {
  return v == null ? '[]string(nil)' : `[]string{${v.map(goQuote).join(', ')}}`;
}

/** How ErrorBody prints a bad value. */
export function formatValue(v: unknown): string {
  if (v instanceof RawValue) return v.text;
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return goStrings(v as string[]);
  // Other composites have no faithful Go rendering here; JSON is the readable fallback.
  return JSON.stringify(v);
}

/** `map[string]string{"app":"web", "tier":"fe"}` (keys sorted, as fmt prints maps). */
export function mapValue(m: Record<string, string> | undefined | null): RawValue {
  if (m == null) return new RawValue('map[string]string(nil)');
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k])}`);
  return new RawValue(`map[string]string{${entries.join(', ')}}`);
}

/** `v1.LabelSelector{MatchLabels:map[string]string{...}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`. */
export function labelSelectorValue(
  s: Incoming<LabelSelector> | undefined,
): RawValue {
  if (s == null) return new RawValue('null');
  const exprs =
    s.matchExpressions == null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${s.matchExpressions
          .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${goStrings(e.values)}}`)
          .join(', ')}}`;
  return new RawValue(`v1.LabelSelector{MatchLabels:${mapValue(s.matchLabels).text}, MatchExpressions:${exprs}}`);
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}` (its String() needs a pointer, so %#v applies). */
export function intOrStringValue(v: number | string | undefined): RawValue {
  if (typeof v === 'string') return new RawValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`);
  return new RawValue(`intstr.IntOrString{Type:0, IntVal:${v ?? 0}, StrVal:""}`);
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

/** Kubernetes' field.TooMany. */
export function tooMany(field: string, actual: number, max: number): FieldCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
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
