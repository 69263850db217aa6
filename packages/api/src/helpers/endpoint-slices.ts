// EndpointSlices (discovery.k8s.io/v1) as their readers need them: the label naming a slice's
// Service, and a Service's slices found by it (kube-proxy and CoreDNS read slices so).

/** The label every EndpointSlice of a Service carries, with the Service's name. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface SliceLike {
  metadata: { namespace?: string; labels?: Record<string, string> };
}

/** Slices by `namespace/service`; slices without the label belong to no Service. */
export function groupSlicesByService<T extends SliceLike>(slices: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || !s.metadata.namespace) continue;
    const key = `${s.metadata.namespace}/${svc}`;
    out.set(key, [...(out.get(key) ?? []), s]);
  }
  return out;
}
