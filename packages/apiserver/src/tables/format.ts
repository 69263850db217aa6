// Label and selector strings as apimachinery renders them in printed columns.
import { formatLabelSelector, labelSelectorAsSelector, selectorToString, type LabelSelector } from '@skiff/api';

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/**
 * LabelSelectorAsSelector(s).String(): requirements sorted by key, `""` for a nil or empty selector.
 * Throws on an unknown operator (callers print `<invalid>` as Kubernetes does).
 */
export function selectorString(selector: LabelSelector | undefined | null): string {
  return selector ? selectorToString(labelSelectorAsSelector(selector)) : '';
}

/** metav1.FormatLabelSelector: `<none>` when empty and `<error>` when invalid (from @skiff/api). */
export { formatLabelSelector };

/** Container names and images, each comma-joined (layoutContainerCells). */
export function containerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}
