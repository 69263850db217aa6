// Label and field selector matching for the fake API server (a small local helper; the real
// server has its own).
import type { KubeObject } from '@skiff/api';

type Requirement = (labels: Record<string, string>) => boolean;

/** Splits on commas that are not inside parentheses: `a in (x,y),b` -> [`a in (x,y)`, `b`]. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) terms.push(current.trim());
  return terms.filter(Boolean);
}

function parseLabelTerm(term: string): Requirement {
  let m: RegExpMatchArray | null;
  if ((m = term.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
    const [, key, op, list] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]);
  }
  if ((m = term.match(/^([^\s!=]+)\s*!=\s*(\S*)$/))) {
    const [, key, value] = m;
    return (l) => l[key] !== value;
  }
  if ((m = term.match(/^([^\s!=]+)\s*==?\s*(\S*)$/))) {
    const [, key, value] = m;
    return (l) => l[key] === value;
  }
  if ((m = term.match(/^!\s*(\S+)$/))) {
    const key = m[1];
    return (l) => !(key in l);
  }
  if ((m = term.match(/^(\S+)$/))) {
    const key = m[1];
    return (l) => key in l;
  }
  throw new Error(`unable to parse requirement: ${term}`);
}

/** Compiles a label selector string; throws on a malformed one. */
export function compileLabelSelector(selector: string | undefined): (obj: KubeObject) => boolean {
  const reqs = splitTerms(selector ?? '').map(parseLabelTerm);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => r(labels));
  };
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Compiles a field selector (`a.b=c,d!=e`); throws on a malformed one. */
export function compileFieldSelector(selector: string | undefined): (obj: KubeObject) => boolean {
  const reqs = splitTerms(selector ?? '').map((term) => {
    const m = term.match(/^([\w.]+)\s*(!=|==|=)\s*(.*)$/);
    if (!m) throw new Error(`invalid field selector: ${term}`);
    const [, path, op, value] = m;
    return op === '!=' ? (o: KubeObject) => fieldValue(o, path) !== value : (o: KubeObject) => fieldValue(o, path) === value;
  });
  return (obj) => reqs.every((r) => r(obj));
}
