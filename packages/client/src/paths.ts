// URL paths of the Kubernetes REST API, derived from a resource descriptor.
import type { ResourceInfo } from '@skiff/api';

/** What the client needs to know about a resource to address it. */
export type ResourceRef = Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'scope'>;

export interface PathParts {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * `/api/v1/namespaces/NS/pods/NAME/status`, `/apis/apps/v1/deployments` (all namespaces),
 * `/api/v1/nodes/NAME` (cluster-scoped: the namespace is ignored).
 */
export function resourcePath(res: ResourceRef, parts: PathParts = {}): string {
  let path = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  if (res.scope === 'Namespaced' && parts.namespace) path += `/namespaces/${encodeURIComponent(parts.namespace)}`;
  path += `/${res.plural}`;
  if (parts.name !== undefined) {
    if (parts.name === '') throw new TypeError(`empty name for ${res.plural}`);
    path += `/${encodeURIComponent(parts.name)}`;
    if (parts.subresource) path += `/${parts.subresource}`;
  }
  return path;
}

/** `?a=1&b=x` from the defined entries, or '' when there are none. */
export function queryString(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
