// The Endpoints of a Service: its selected pods' addresses, ready or not, with each service port
// resolved against the pod (targetPort as a number, or as a container port name).
import { labelSelectorMatches, type KubeObject } from '@skiff/api';
import { isPodReady } from '../lib/pod.ts';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

/** The container port a service port targets on `pod`, or undefined when the name is not found. */
export function resolveTargetPort(sp: ServicePort, pod: KubeObject): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/**
 * The service's ports as `pod` serves them (named targetPorts resolved), sorted; undefined when
 * none resolves (a headless service without ports still lists its pods: []).
 */
export function resolvePodPorts(ports: readonly ServicePort[], pod: KubeObject): EndpointPort[] | undefined {
  const resolved: EndpointPort[] = [];
  for (const sp of ports) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    resolved.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
  }
  if (resolved.length === 0 && ports.length > 0) return undefined;
  return resolved.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
}

/**
 * Should `pod` appear at all: has an IP, is not finished for good, and is not terminating unless
 * terminating pods are wanted (EndpointSlices list them, Endpoints only with publishNotReadyAddresses).
 */
export function isEndpointCandidate(pod: KubeObject, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const restart = pod.spec?.restartPolicy ?? 'Always';
  if (phase === 'Failed' && restart === 'Never') return false;
  if (phase === 'Succeeded' && restart !== 'Always') return false;
  return true;
}

/**
 * Subsets for `service` over the pods of its namespace: grouped by identical port sets (as
 * Kubernetes repacks them), addresses sorted by IP. Undefined for a Service without a selector,
 * whose Endpoints the user manages.
 */
export function computeEndpointSubsets(service: KubeObject, pods: readonly KubeObject[]): EndpointSubset[] | undefined {
  const selector = service.spec?.selector as Record<string, string> | undefined;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const ports: ServicePort[] = service.spec?.ports ?? [];
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();

  for (const pod of pods) {
    if (pod.metadata.namespace !== service.metadata.namespace) continue;
    if (!labelSelectorMatches(selector, pod.metadata.labels)) continue;
    if (!isEndpointCandidate(pod, publishNotReady)) continue;
    const address: EndpointAddress = {
      ip: pod.status.podIP,
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! },
    };
    if (pod.spec?.hostname && pod.spec?.subdomain === service.metadata.name) address.hostname = pod.spec.hostname;
    const resolved = resolvePodPorts(ports, pod);
    if (!resolved) continue;
    const key = JSON.stringify(resolved);
    const g = groups.get(key) ?? { ports: resolved, ready: [], notReady: [] };
    if (isPodReady(pod) || publishNotReady) g.ready.push(address);
    else g.notReady.push(address);
    groups.set(key, g);
  }

  const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || a.targetRef.name.localeCompare(b.targetRef.name);
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    }));
}

/** The whole Endpoints object for `service`, labelled as Kubernetes labels them. */
export function computeEndpoints(service: KubeObject, subsets: EndpointSubset[]): KubeObject {
  const labels: Record<string, string> = { ...(service.metadata.labels ?? {}) };
  if (service.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service.metadata.name, namespace: service.metadata.namespace, ...(Object.keys(labels).length ? { labels } : {}) },
    subsets,
  };
}
