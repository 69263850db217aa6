// Pure: the EndpointSlices of a Service, as Kubernetes' EndpointSlice controller keeps them.
// - Every selected pod with an IP is an endpoint, terminating ones included, with conditions
//   serving = the pod is Ready, terminating = it is being deleted, ready = serving and not
//   terminating (always true with publishNotReadyAddresses).
// - Endpoints are grouped by the ports they resolve to (a named targetPort may differ per pod),
//   at most MAX_ENDPOINTS_PER_SLICE per slice.
// - To keep churn low (every slice change reaches every node's proxy), an endpoint stays in the
//   slice that holds it; new endpoints fill existing slices with room before a new slice is made;
//   a slice left empty is deleted. A Service without endpoints keeps one empty slice.
// - A Service without a selector has its user-managed Endpoints mirrored into slices instead
//   (Kubernetes' EndpointSliceMirroring controller), managed-by that controller's name.
import type { KubeObject } from '@skiff/api';
import { isPodReady } from '../lib/pod.ts';
import { labelSelectorMatches, SERVICE_NAME_LABEL } from '@skiff/api';
import { isEndpointCandidate, resolvePodPorts, type EndpointPort, type EndpointSubset, type ServicePort } from '../endpoints/plan.ts';
import { canonicalJson } from '../deployment/hash.ts';

export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MANAGED_BY_MIRRORING = 'endpointslicemirroring-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
}

/** Endpoints that share one port set. */
export interface EndpointGroup {
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  remove: KubeObject[];
}

const keyOfEndpoint = (e: SliceEndpoint) => e.targetRef?.uid ?? e.addresses.join(',');
const byAddress = (a: SliceEndpoint, b: SliceEndpoint) => a.addresses[0].localeCompare(b.addresses[0], 'en', { numeric: true }) || keyOfEndpoint(a).localeCompare(keyOfEndpoint(b));

function addGroup(groups: Map<string, EndpointGroup>, ports: EndpointPort[], e: SliceEndpoint): void {
  const key = canonicalJson(ports);
  const g = groups.get(key) ?? { ports, endpoints: [] };
  g.endpoints.push(e);
  groups.set(key, g);
}

/** The endpoints of a Service with a selector, grouped by port set; undefined without a selector. */
export function computeEndpointGroups(service: KubeObject, pods: readonly KubeObject[]): EndpointGroup[] | undefined {
  const selector = service.spec?.selector as Record<string, string> | undefined;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const ports: ServicePort[] = service.spec?.ports ?? [];
  const groups = new Map<string, EndpointGroup>();
  for (const pod of pods) {
    if (pod.metadata.namespace !== service.metadata.namespace) continue;
    if (!labelSelectorMatches(selector, pod.metadata.labels)) continue;
    if (!isEndpointCandidate(pod, true)) continue;
    const resolved = resolvePodPorts(ports, pod);
    if (!resolved) continue;
    const serving = isPodReady(pod);
    const terminating = !!pod.metadata.deletionTimestamp;
    const e: SliceEndpoint = {
      addresses: [pod.status!.podIP],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      ...(pod.spec?.hostname && pod.spec?.subdomain === service.metadata.name ? { hostname: pod.spec.hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    addGroup(groups, resolved, e);
  }
  return [...groups.values()];
}

/** User-managed Endpoints (a Service without a selector) as endpoint groups, for mirroring. */
export function mirrorEndpointGroups(endpoints: KubeObject | undefined): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>();
  for (const s of (endpoints?.subsets ?? []) as EndpointSubset[]) {
    const ports = [...(s.ports ?? [])].map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const add = (ready: boolean) => (a: { ip: string; hostname?: string; nodeName?: string; targetRef?: SliceEndpoint['targetRef'] }) =>
      addGroup(groups, ports, {
        addresses: [a.ip],
        conditions: { ready, serving: ready, terminating: false },
        ...(a.hostname ? { hostname: a.hostname } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      });
    (s.addresses ?? []).forEach(add(true));
    (s.notReadyAddresses ?? []).forEach(add(false));
  }
  return [...groups.values()];
}

function sliceLabels(service: KubeObject, managedBy: string): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: service.metadata.name!, [MANAGED_BY_LABEL]: managedBy };
  if (service.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return labels;
}

function newSlice(service: KubeObject, managedBy: string, ports: EndpointPort[], endpoints: SliceEndpoint[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace,
      labels: sliceLabels(service, managedBy),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name!, uid: service.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

/**
 * Creates, updates and deletes that turn `existing` (this Service's slices, managed by
 * `managedBy`) into slices holding `groups`.
 */
export function planEndpointSlices(service: KubeObject, groups: readonly EndpointGroup[], existing: readonly KubeObject[], managedBy: string): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], remove: [] };
  const labels = sliceLabels(service, managedBy);
  const byPorts = new Map<string, KubeObject[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const key = canonicalJson(s.ports ?? []);
    byPorts.set(key, [...(byPorts.get(key) ?? []), s]);
  }
  // No endpoints at all: one empty slice stays (Kubernetes' placeholder).
  const wanted = groups.some((g) => g.endpoints.length) ? groups.filter((g) => g.endpoints.length) : [{ ports: [], endpoints: [] }];
  const kept = new Set<KubeObject>();
  for (const g of wanted) {
    const key = canonicalJson(g.ports);
    const slices = byPorts.get(key) ?? [];
    const desired = new Map(g.endpoints.map((e) => [keyOfEndpoint(e), e]));
    const placed = new Set<string>();
    // Each endpoint stays where it is (with its current conditions).
    const contents = slices.map((s) => {
      const mine: SliceEndpoint[] = [];
      for (const e of (s.endpoints ?? []) as SliceEndpoint[]) {
        const k = keyOfEndpoint(e);
        const d = desired.get(k);
        if (d && !placed.has(k) && mine.length < MAX_ENDPOINTS_PER_SLICE) {
          mine.push(d);
          placed.add(k);
        }
      }
      return mine;
    });
    // New ones fill slices with room, then new slices.
    const rest = g.endpoints.filter((e) => !placed.has(keyOfEndpoint(e))).sort(byAddress);
    for (const c of contents) while (rest.length && c.length < MAX_ENDPOINTS_PER_SLICE) c.push(rest.shift()!);
    const fresh: SliceEndpoint[][] = [];
    while (rest.length) fresh.push(rest.splice(0, MAX_ENDPOINTS_PER_SLICE));
    if (g.endpoints.length === 0 && slices.length === 0) fresh.push([]);
    slices.forEach((s, i) => {
      const eps = contents[i].sort(byAddress);
      if (eps.length === 0 && !(g.endpoints.length === 0 && i === 0)) return; // emptied: deleted below
      kept.add(s);
      const same = canonicalJson(s.endpoints ?? []) === canonicalJson(eps) && canonicalJson(s.metadata.labels ?? {}) === canonicalJson(labels);
      if (!same) plan.update.push({ ...s, metadata: { ...s.metadata, labels }, endpoints: eps });
    });
    for (const eps of fresh) plan.create.push(newSlice(service, managedBy, g.ports, eps));
  }
  plan.remove = existing.filter((s) => !kept.has(s));
  return plan;
}
