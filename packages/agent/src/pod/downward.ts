// The downward API: the pod and node fields a container may read through env (fieldRef,
// resourceFieldRef) or a downwardAPI volume. Pure; as the kubelet's fieldpath.ExtractFieldPathAsString
// and resource.ExtractContainerResourceValue.
import { toBytes, toMilli, type KubeObject } from '@skiff/api';

export interface DownwardContext {
  pod: KubeObject;
  nodeName: string;
  nodeIP: string;
  /** The node's allocatable, which stands in for a limit the container does not set. */
  allocatable?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string };
}

/** As Go's fieldpath.FormatMap: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

/** The value of a fieldRef path, or an error message when the path is not supported. */
export function resolveFieldPath(path: string, ctx: DownwardContext): { value: string } | { error: string } {
  const m = ctx.pod.metadata;
  switch (path) {
    case 'metadata.name': return { value: m.name ?? '' };
    case 'metadata.namespace': return { value: m.namespace ?? '' };
    case 'metadata.uid': return { value: m.uid ?? '' };
    case 'metadata.labels': return { value: formatMap(m.labels) };
    case 'metadata.annotations': return { value: formatMap(m.annotations) };
    case 'spec.nodeName': return { value: ctx.nodeName };
    case 'spec.serviceAccountName': return { value: ctx.pod.spec?.serviceAccountName ?? '' };
    case 'status.hostIP': return { value: ctx.nodeIP };
    case 'status.hostIPs': return { value: ctx.nodeIP };
    case 'status.podIP': return { value: ctx.pod.status?.podIP ?? '' };
    case 'status.podIPs': return { value: ((ctx.pod.status?.podIPs ?? []) as { ip: string }[]).map((p) => p.ip).join(',') };
    default: {
      const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
      if (label) return { value: m.labels?.[label[1]] ?? '' };
      const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
      if (ann) return { value: m.annotations?.[ann[1]] ?? '' };
      return { error: `unsupported fieldPath: ${path}` };
    }
  }
}

/**
 * A container's resource (limits.cpu, requests.memory, ...) divided by the divisor and rounded up,
 * as the kubelet does; a limit the container does not set is the node's allocatable.
 */
export function resolveResourceField(
  sel: { containerName?: string; resource: string; divisor?: string | number },
  containerName: string | undefined,
  ctx: DownwardContext,
): { value: string } | { error: string } {
  const name = sel.containerName || containerName;
  const containers = [...((ctx.pod.spec?.containers ?? []) as { name: string; resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }[]), ...((ctx.pod.spec?.initContainers ?? []) as never[])];
  const c = containers.find((x) => x.name === name);
  if (!c) return { error: `container ${name ?? ''} not found` };
  const [kind, resource] = sel.resource.split('.', 2) as ['limits' | 'requests', 'cpu' | 'memory' | 'ephemeral-storage'];
  if ((kind !== 'limits' && kind !== 'requests') || !['cpu', 'memory', 'ephemeral-storage'].includes(resource)) return { error: `unsupported container resource: ${sel.resource}` };
  let q: string | undefined = kind === 'limits' ? c.resources?.limits?.[resource] : c.resources?.requests?.[resource];
  if (q === undefined && kind === 'limits') q = ctx.allocatable?.[resource];
  if (q === undefined) return { value: '0' };
  if (resource === 'cpu') {
    const divisor = toMilli(sel.divisor ?? '1') || 1000;
    return { value: String(Math.ceil(toMilli(q) / divisor)) };
  }
  const divisor = toBytes(sel.divisor ?? '1') || 1;
  return { value: String(Math.ceil(toBytes(q) / divisor)) };
}
