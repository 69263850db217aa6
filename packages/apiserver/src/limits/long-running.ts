// Requests Kubernetes treats as long-running (BasicLongRunningRequestCheck): watches, proxy, and
// the streaming subresources. They do not count against the in-flight limits.
import type { Attributes } from '../authz/attributes.ts';

const STREAMING = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export function isLongRunning(a: Attributes): boolean {
  if (!a.resourceRequest) return false;
  return a.verb === 'watch' || a.verb === 'proxy' || STREAMING.has(a.subresource);
}
