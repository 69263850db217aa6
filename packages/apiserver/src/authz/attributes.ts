// What a request asks to do, as kube-apiserver's RequestInfoFactory reads it from the method and
// the path (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), before any route runs:
//   /api/v1/namespaces/NS/pods/NAME/log  GET -> get pods/log "NAME" in NS, API group ""
//   /apis/apps/v1/deployments?watch=1    GET -> watch deployments.apps at the cluster scope
//   /healthz, /apis, /apis/apps/v1       GET -> get the non-resource path
// A list or watch whose fieldSelector pins metadata.name names that object, as Kubernetes does
// (the Node authorizer lets an agent watch one Secret that way). Pure and cheap: it runs on
// every request.
import type { UserInfo } from '../auth/user.ts';

export interface Attributes {
  user: UserInfo;
  verb: string;
  /** A resource request (/api/..., /apis/G/V/...) or a non-resource path. */
  resourceRequest: boolean;
  /** The path without the query (for non-resource requests). */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function decode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The request's attributes; `url` is the request target (path and query). */
export function requestAttributes(user: UserInfo, method: string, url: string): Attributes {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const out: Attributes = { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return out;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return out;
    out.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  out.resourceRequest = true;
  out.apiVersion = parts[0];
  parts = parts.slice(1);
  let byMethod = false;
  if (parts[0] === 'watch' || parts[0] === 'proxy') {
    if (parts.length < 2) return { ...out, resourceRequest: false };
    out.verb = parts[0];
    parts = parts.slice(1);
  } else {
    out.verb = METHOD_VERBS[method] ?? '';
    byMethod = true;
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      out.namespace = decode(parts[1]);
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
    }
  }
  if (parts.length >= 3 && out.verb !== 'proxy') out.subresource = parts[2];
  if (parts.length >= 2) out.name = decode(parts[1]);
  if (parts.length >= 1) out.resource = parts[0];
  if (byMethod && out.name === '' && out.verb === 'get') {
    const params = new URLSearchParams(query);
    // strconv.ParseBool's true values; anything else (false, or a value that does not parse) is a list.
    out.verb = TRUE_VALUES.has(params.get('watch') ?? '') ? 'watch' : 'list';
    const name = exactName(params.get('fieldSelector'));
    if (name) out.name = name;
  }
  if (byMethod && out.name === '' && out.verb === 'delete') out.verb = 'deletecollection';
  return out;
}

/** `metadata.name=X` (or `==`) as one term of a field selector: X. */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m && m[1] && !/[/%]/.test(m[1]) && m[1] !== '.' && m[1] !== '..') return m[1];
  }
  return undefined;
}

/** `pods/log` or `pods`: the resource as rules name it. */
export function combinedResource(a: Pick<Attributes, 'resource' | 'subresource'>): string {
  return a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
}
