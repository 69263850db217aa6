// The downward API as the kubelet resolves it: a pod field (fieldRef) or a container's resource
// (resourceFieldRef) as a string. Used for env (./env.ts); a downwardAPI volume resolves the
// same paths through these functions.
import { milliValue, tryParseQuantity, wholeValue, type KubeObject } from '@skiff/api';

export interface DownwardContext {
  pod: KubeObject;
  nodeName: string;
  hostIP: string;
  /** The pod's address when known (status.podIP). */
  podIP?: string;
  /** The node's allocatable resources: a container without a limit gets these (as the kubelet does). */
  allocatable: Readonly<Record<string, string>>;
}

export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string;
}

export interface ResourceContainer {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/** A reference the kubelet cannot resolve: the container is not created (CreateContainerConfigError). */
export class DownwardError extends Error {}

/** The value of `fieldRef.fieldPath` (podFieldSelectorRuntimeValue + fieldpath.ExtractFieldPathAsString). */
export function fieldRefValue(fieldPath: string, ctx: DownwardContext): string {
  const m = ctx.pod.metadata;
  switch (fieldPath) {
    case 'spec.nodeName':
      return ctx.pod.spec?.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName':
      return ctx.pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP ?? '';
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels ?? {});
    case 'metadata.annotations':
      return formatMap(m.annotations ?? {});
  }
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]] ?? '';
  throw new DownwardError(`unsupported fieldPath: ${fieldPath}`);
}

/** `key="value"` lines in key order, as fieldpath.FormatMap writes them. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

/**
 * The value of a resourceFieldRef for `container` (resource.ExtractContainerResourceValue after
 * the kubelet's defaultPodLimitsForDownwardAPI): CPU rounded up in units of the divisor (default
 * 1), memory and ephemeral storage likewise in bytes; an unset limit is the node's allocatable.
 */
export function resourceFieldRefValue(ref: ResourceFieldSelector, container: ResourceContainer, ctx: DownwardContext): string {
  const divisor = ref.divisor && tryParseQuantity(ref.divisor) && milliValue(ref.divisor) !== 0n ? ref.divisor : '1';
  const [kind, name] = splitResource(ref.resource);
  const list = kind === 'limits' ? { ...ctx.allocatable, ...container.resources?.limits } : (container.resources?.requests ?? {});
  const value = list[name] ?? '0';
  if (name === 'cpu') return String(ceilDiv(milliValue(value), milliValue(divisor)));
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) return String(ceilDiv(wholeValue(value), wholeValue(divisor)));
  throw new DownwardError(`unsupported container resource : ${ref.resource}`);
}

function splitResource(resource: string): [string, string] {
  const dot = resource.indexOf('.');
  const kind = resource.slice(0, dot);
  if (dot < 0 || (kind !== 'limits' && kind !== 'requests')) throw new DownwardError(`unsupported container resource : ${resource}`);
  return [kind, resource.slice(dot + 1)];
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return q * b === a || a < 0n ? q : q + 1n;
}
