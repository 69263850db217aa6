// What a request asks to do, read from its method and path as kube-apiserver's RequestInfoFactory
// does (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), for the audit policy and the
// events' objectRef. NOTE: the authorization step (issue 12 §2) reads the same attributes; when
// it lands, one of the two parsers goes and both read the other.
import type { UserInfo } from '../auth/user.ts';
import type { RequestAttributes } from './policy.ts';

const METHOD_VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function decode(s: string): string {
  try {
    return s.includes('%') ? decodeURIComponent(s) : s;
  } catch {
    return s;
  }
}

export function requestAttributes(user: UserInfo, method: string, url: string): RequestAttributes {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const out: RequestAttributes = { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
  let parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'api' && parts[0] !== 'apis') return out;
  const grouped = parts[0] === 'apis';
  parts = parts.slice(1);
  if (grouped) {
    if (parts.length < 3) return out;
    out.apiGroup = parts[0];
    parts = parts.slice(1);
  } else if (parts.length < 2) return out;
  out.resourceRequest = true;
  out.apiVersion = parts[0];
  parts = parts.slice(1);
  let byMethod = true;
  if ((parts[0] === 'watch' || parts[0] === 'proxy') && parts.length > 1) {
    out.verb = parts[0];
    parts = parts.slice(1);
    byMethod = false;
  } else out.verb = METHOD_VERBS[method] ?? method.toLowerCase();
  if (parts[0] === 'namespaces' && parts.length > 1) {
    out.namespace = decode(parts[1]);
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  out.resource = parts[0] ?? '';
  out.name = parts[1] !== undefined ? decode(parts[1]) : '';
  out.subresource = parts[2] ?? '';
  if (byMethod && !out.name && out.verb === 'get') {
    const watch = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('watch');
    out.verb = watch !== null && watch !== '' && watch !== '0' && watch.toLowerCase() !== 'false' ? 'watch' : 'list';
  }
  if (byMethod && !out.name && out.verb === 'delete') out.verb = 'deletecollection';
  return out;
}

/** Requests Kubernetes treats as long-running (BasicLongRunningRequestCheck): watches, proxy, and the streaming subresources. */
export function isLongRunning(a: RequestAttributes): boolean {
  if (!a.resourceRequest) return false;
  return a.verb === 'watch' || a.verb === 'proxy' || ['attach', 'exec', 'proxy', 'log', 'portforward'].includes(a.subresource);
}
