// Selectors as predicates over objects, from the api package's parsers; a malformed selector
// throws with the api package's (Kubernetes-worded) message, which routes answer as 400.
import { formatLabelSelector, matches, objectMatchesFields, parseFieldSelectorFor, parseSelector } from '@skiff/api';
import type { KubeObject, LabelSelector, ResourceInfo } from '@skiff/api';

export type Matcher = (obj: KubeObject) => boolean;

export function labelMatcher(selector: string): Matcher {
  const sel = parseSelector(selector);
  return (obj) => matches(sel, obj.metadata?.labels);
}

/** Only the fields the kind supports (metadata.name, spec.nodeName for pods, ...). */
export function fieldMatcher(r: ResourceInfo, selector: string): Matcher {
  const sel = parseFieldSelectorFor(r, selector);
  return (obj) => objectMatchesFields(r, sel, obj);
}

/** A LabelSelector (or a ReplicationController's plain map) as the string a Scale reports. */
export function formatSelector(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '';
  if (!('matchLabels' in sel) && !('matchExpressions' in sel)) {
    return Object.entries(sel as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  }
  return formatLabelSelector(sel as LabelSelector);
}
