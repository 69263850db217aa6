// What each subresource answers with, and which verbs it takes, as Kubernetes lists them.
import type { ResourceInfo, Subresource } from '@skiff/api';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SubresourceInfo {
  name: Subresource;
  responseKind: GroupVersionKind;
  verbs: string[];
}

export function subresourceInfo(r: ResourceInfo, sub: Subresource): SubresourceInfo {
  const own: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  switch (sub) {
    case 'status':
      return { name: sub, responseKind: own, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { name: sub, responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] };
    case 'binding':
      return { name: sub, responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] };
    case 'log':
      return { name: sub, responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] };
    case 'exec':
      return { name: sub, responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] };
    case 'attach':
      return { name: sub, responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] };
    case 'portforward':
      return { name: sub, responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] };
    case 'ephemeralcontainers':
    case 'approval':
      return { name: sub, responseKind: own, verbs: ['get', 'patch', 'update'] };
    case 'eviction':
      return { name: sub, responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] };
    case 'token':
      return { name: sub, responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] };
    case 'proxy':
      return {
        name: sub,
        responseKind: { group: '', version: 'v1', kind: `${r.kind}ProxyOptions` },
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      };
  }
}
