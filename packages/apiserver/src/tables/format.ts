// Label and selector strings as apimachinery renders them in printed columns.

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

function requirementString(r: LabelSelectorRequirement): string {
  const values = [...(r.values ?? [])].sort().join(',');
  switch (r.operator) {
    case 'In':
      return `${r.key} in (${values})`;
    case 'NotIn':
      return `${r.key} notin (${values})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    default:
      throw new Error(`invalid operator ${r.operator}`);
  }
}

/**
 * LabelSelectorAsSelector(s).String(): requirements sorted by key, `""` for a nil or empty selector.
 * Throws on an unknown operator (callers print `<invalid>` / `<error>` as Kubernetes does).
 */
export function selectorString(selector: LabelSelector | undefined | null): string {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key, text: `${key}=${value}` });
  for (const r of selector.matchExpressions ?? []) reqs.push({ key: r.key, text: requirementString(r) });
  // A stable sort by key keeps matchLabels ahead of expressions on the same key, like the Go sort.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: like selectorString, but `<none>` when empty and `<error>` when invalid. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  let s: string;
  try {
    s = selectorString(selector);
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** Container names and images, each comma-joined (layoutContainerCells). */
export function containerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}
