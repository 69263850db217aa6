// Label selectors: the string syntax of `?labelSelector=` / `kubectl -l`, the structured
// LabelSelector of Deployments and ReplicaSets, and plain map selectors (Services, RCs),
// all reduced to one list of requirements so matching and printing have a single path.

import { isQualifiedName, isValidLabelValue } from '../validation/strings.ts';

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | '=' | '==' | '!=' | 'Gt' | 'Lt';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Sorted, as Kubernetes keeps them, so printing is deterministic. */
  readonly values: readonly string[];
}

import type { LabelSelector } from '../model/types.generated.ts';

export type { LabelSelector, LabelSelectorRequirement } from '../model/types.generated.ts';

/**
 * A parsed selector. `nothing` is the selector a nil LabelSelector converts to: it matches no
 * object, which is different from the empty selector that matches every object.
 */
export interface Selector {
  readonly requirements: readonly Requirement[];
  readonly nothing?: boolean;
}

export class SelectorError extends Error {}

export const EVERYTHING: Selector = Object.freeze({ requirements: Object.freeze([]) as readonly Requirement[] });
export const NOTHING: Selector = Object.freeze({ requirements: Object.freeze([]) as readonly Requirement[], nothing: true });

/** Builds one requirement, checking it the way labels.NewRequirement does. */
export function newRequirement(key: string, operator: SelectorOperator, values: readonly string[]): Requirement {
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) throw new SelectorError(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) throw new SelectorError("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty");
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) throw new SelectorError("values: Invalid value: []: exact-match compatibility requires one single value");
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) throw new SelectorError("values: Invalid value: []: values set must be empty for exists and does not exist");
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !/^-?[0-9]+$/.test(values[0]))
        throw new SelectorError("values[0]: Invalid value: []: for 'Gt', 'Lt' operators, the value must be an integer");
      return { key, operator, values: [...values] };
    default:
      throw new SelectorError(`operator: Unsupported value: ${JSON.stringify(operator)}`);
  }
  values.forEach((v, i) => {
    const errs = isValidLabelValue(v);
    if (errs.length > 0) throw new SelectorError(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
  });
  return { key, operator, values: [...new Set(values)].sort() };
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  // Stable, so two requirements on one key keep the order they were written in.
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---- string syntax --------------------------------------------------------------------

type TokenKind = 'id' | '!' | '!=' | '=' | '==' | '(' | ')' | ',' | 'in' | 'notin' | '>' | '<' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(['!', '=', '(', ')', ',', '>', '<']);

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '!' && input[i + 1] === '=') {
      tokens.push({ kind: '!=', text: '!=' });
      i += 2;
    } else if (c === '=' && input[i + 1] === '=') {
      tokens.push({ kind: '==', text: '==' });
      i += 2;
    } else if (SPECIAL.has(c)) {
      tokens.push({ kind: c as TokenKind, text: c });
      i++;
    } else {
      let j = i;
      while (j < input.length && !SPECIAL.has(input[j]) && !/\s/.test(input[j])) j++;
      const text = input.slice(i, j);
      tokens.push({ kind: text === 'in' ? 'in' : text === 'notin' ? 'notin' : 'id', text });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

/**
 * Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`. Throws SelectorError with a message in the
 * style of Kubernetes' (`unable to parse requirement: ...`, `found ',', expected: ...`).
 */
export function parseSelector(input: string): Selector {
  const tokens = lex(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const reqs: Requirement[] = [];
  if (peek().kind === 'end') return EVERYTHING;

  const requirement = (): Requirement => {
    let t = next();
    if (t.kind === '!') {
      t = next();
      if (t.kind !== 'id') throw new SelectorError(`found '${t.text}', expected: identifier`);
      return newRequirement(t.text, 'DoesNotExist', []);
    }
    const key = t.text;
    const op = peek();
    if (op.kind === ',' || op.kind === 'end') return newRequirement(key, 'Exists', []);
    next();
    switch (op.kind) {
      case '=':
      case '==':
      case '!=': {
        const v = peek();
        // `a=` selects an empty value, as in `a=,b=c`.
        const value = v.kind === 'id' || v.kind === 'in' || v.kind === 'notin' ? next().text : '';
        const operator = op.kind === '=' ? '=' : op.kind === '==' ? '==' : '!=';
        return newRequirement(key, operator, [value]);
      }
      case '>':
      case '<': {
        const v = next();
        if (v.kind !== 'id') throw new SelectorError(`found '${v.text}', expected: an integer`);
        return newRequirement(key, op.kind === '>' ? 'Gt' : 'Lt', [v.text]);
      }
      case 'in':
      case 'notin': {
        const open = next();
        if (open.kind !== '(') throw new SelectorError(`found '${open.text}' expected: '('`);
        const values: string[] = [];
        // `in ()` is the set holding only the empty string, as in Kubernetes.
        if (peek().kind === ')') {
          next();
          values.push('');
        } else {
          for (;;) {
            const v = peek();
            if (v.kind === 'id' || v.kind === 'in' || v.kind === 'notin') {
              values.push(next().text);
            } else if (v.kind === ',' || v.kind === ')') {
              values.push('');
            } else {
              throw new SelectorError(`found '${v.text}', expected: ',', ')' or identifier`);
            }
            const sep = next();
            if (sep.kind === ')') break;
            if (sep.kind !== ',') throw new SelectorError(`found '${sep.text}', expected: ',' or ')'`);
          }
        }
        return newRequirement(key, op.kind === 'in' ? 'In' : 'NotIn', values);
      }
      default:
        throw new SelectorError(`found '${op.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  };

  for (;;) {
    const first = peek();
    if (first.kind !== 'id' && first.kind !== '!') throw new SelectorError(`found '${first.text}', expected: !, identifier, or 'end of string'`);
    try {
      reqs.push(requirement());
    } catch (e) {
      // Kubernetes prefixes everything that goes wrong inside one requirement this way.
      throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
    }
    const t = next();
    if (t.kind === 'end') break;
    if (t.kind !== ',') throw new SelectorError(`found '${t.text}', expected: ',' or 'end of string'`);
    if (peek().kind === 'end') throw new SelectorError("found '', expected: identifier after ','");
  }
  return { requirements: sortByKey(reqs) };
}

export function tryParseSelector(input: string): Selector | SelectorError {
  try {
    return parseSelector(input);
  } catch (e) {
    if (e instanceof SelectorError) return e;
    throw e;
  }
}

// ---- structured forms -----------------------------------------------------------------

/**
 * metav1.LabelSelectorAsSelector: undefined/null selects nothing, `{}` selects everything.
 * Throws SelectorError for bad operators, keys or values.
 */
export function labelSelectorAsSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls == null) return NOTHING;
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of ls.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
      case 'NotIn':
      case 'Exists':
      case 'DoesNotExist':
        reqs.push(newRequirement(e.key, e.operator, e.values ?? []));
        break;
      default:
        throw new SelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
  }
  return { requirements: sortByKey(reqs) };
}

/** A plain `{key: value}` selector (Service, ReplicationController): empty selects everything. */
export function selectorFromMap(map: Record<string, string> | null | undefined): Selector {
  const reqs = Object.entries(map ?? {}).map(([k, v]) => newRequirement(k, '=', [v]));
  return { requirements: sortByKey(reqs) };
}

/** The string form, as `kubectl get -o wide` and `?labelSelector=` use it. */
export function selectorToString(selector: Selector): string {
  return selector.requirements.map(requirementToString).join(',');
}

export function requirementToString(r: Requirement): string {
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'In':
      return `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Gt':
      return `${r.key}>${r.values[0]}`;
    case 'Lt':
      return `${r.key}<${r.values[0]}`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

/** metav1.FormatLabelSelector: what kubectl prints for a LabelSelector (`<none>` if empty). */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  if (ls == null) return '<none>';
  try {
    const s = selectorToString(labelSelectorAsSelector(ls));
    return s === '' ? '<none>' : s;
  } catch {
    return '<error>';
  }
}

export function isEverything(selector: Selector): boolean {
  return !selector.nothing && selector.requirements.length === 0;
}

// ---- matching ---------------------------------------------------------------------------

const INTEGER = /^[+-]?[0-9]+$/;

export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key]);
    case 'NotIn':
    case '!=':
      return !has || !r.values.includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Both sides are integers (strconv.ParseInt); anything else matches nothing.
      const bound = r.values.length === 1 ? r.values[0] : '';
      if (!has || !INTEGER.test(labels[r.key]) || !INTEGER.test(bound)) return false;
      const actual = BigInt(labels[r.key]);
      return r.operator === 'Gt' ? actual > BigInt(bound) : actual < BigInt(bound);
    }
    default:
      return false;
  }
}

/** True when every requirement holds for `labels` (missing labels count as absent). */
export function matches(selector: Selector, labels: Readonly<Record<string, string>> | null | undefined): boolean {
  if (selector.nothing) return false;
  const l = labels ?? {};
  for (const r of selector.requirements) if (!requirementMatches(r, l)) return false;
  return true;
}

/** Convenience for controllers: does a LabelSelector (or plain map) select these labels? */
export function labelSelectorMatches(
  ls: LabelSelector | Record<string, string> | null | undefined,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  return matches(toSelector(ls), labels);
}

/** Accepts any of the selector shapes Kubernetes objects carry. */
export function toSelector(ls: LabelSelector | Record<string, string> | string | Selector | null | undefined): Selector {
  if (typeof ls === 'string') return parseSelector(ls);
  if (ls == null) return NOTHING;
  if (Array.isArray((ls as Selector).requirements)) return ls as Selector;
  if ('matchLabels' in ls || 'matchExpressions' in ls) return labelSelectorAsSelector(ls as LabelSelector);
  // An empty object is both an empty LabelSelector and an empty map: it selects everything.
  return selectorFromMap(ls as Record<string, string>);
}
