// Validation of the core/v1 kinds other than workloads: Pod (incl. its update rules),
// Namespace, Node, Service, Endpoints, Event, plus coordination/v1 Lease.

import type { EndpointAddress, Endpoints, Event, Lease, Namespace, Node, Pod, PodSpec, Service, ServicePort, Toleration } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { formatQuantity, QUANTITY_FORMAT_ERROR, tryParseQuantity } from '../quantity.ts';
import { duplicate, forbidden, goQuote, intOrStringValue, invalid, RawValue, invalidEach, IS_NEGATIVE, notSupported, required } from './errors.ts';
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validateFinalizerName,
  validateLabelName,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.ts';
import { validatePodSpec, validatePortNumOrName } from './pod.ts';
import { isDNS1123Label, isDNS1123Subdomain, isIP, isIPv4, isQualifiedName, isValidCIDR, isValidIP, isValidLabelValue, isValidPortNum } from './strings.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

// ---- Pod ---------------------------------------------------------------------------------

export function validatePod(pod: Incoming<Pod>): FieldCause[] {
  return [...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain), ...validatePodSpec(pod.spec, 'spec', { isPod: true })];
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function changedPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (typeof a === 'object' && typeof b === 'object' && a && b && !Array.isArray(a) === !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
    }
    return;
  }
  out.push(`${path}: ${JSON.stringify(b) ?? '<unset>'} -> ${JSON.stringify(a) ?? '<unset>'}`);
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds and added tolerations may change. */
export function validatePodUpdate(pod: Incoming<Pod>, old: Incoming<Pod>): FieldCause[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodSpec(pod.spec, 'spec', { isPod: true }));
  const spec = pod.spec ?? {};
  const oldSpec = old.spec ?? {};
  for (const list of ['containers', 'initContainers'] as const) {
    if ((spec[list]?.length ?? 0) !== (oldSpec[list]?.length ?? 0)) {
      errs.push(forbidden(`spec.${list}`, 'pod updates may not add or remove containers'));
      return errs;
    }
  }
  if (oldSpec.activeDeadlineSeconds !== undefined) {
    const next = spec.activeDeadlineSeconds;
    if (next === undefined || next > oldSpec.activeDeadlineSeconds) {
      errs.push(invalid('spec.activeDeadlineSeconds', next ?? null, 'must be less than or equal to previous value'));
    }
  }
  const oldTolerations = oldSpec.tolerations ?? [];
  const newTolerations = spec.tolerations ?? [];
  const sameExceptSeconds = (a: Incoming<Toleration>, b: Incoming<Toleration>) => JSON.stringify({ ...a, tolerationSeconds: 0 }) === JSON.stringify({ ...b, tolerationSeconds: 0 });
  if (!oldTolerations.every((o) => newTolerations.some((n) => sameExceptSeconds(o, n)))) {
    errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  // Blank out what may change, then anything else that differs is forbidden.
  const munge = (s: Incoming<PodSpec>, imagesFrom: Incoming<PodSpec>) => ({
    ...s,
    containers: (s.containers ?? []).map((c, i) => ({ ...c, image: imagesFrom.containers?.[i]?.image })),
    initContainers: (s.initContainers ?? []).map((c, i) => ({ ...c, image: imagesFrom.initContainers?.[i]?.image })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
  });
  const diffs: string[] = [];
  changedPaths(munge(spec, oldSpec), munge(oldSpec, oldSpec), 'spec', diffs);
  if (diffs.length > 0) errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${diffs.join('\n')}`));
  return errs;
}

// ---- Namespace ---------------------------------------------------------------------------

export function validateNamespace(ns: Incoming<Namespace>): FieldCause[] {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel);
  (ns.spec?.finalizers ?? []).forEach((f: string) => errs.push(...validateFinalizerName(f, 'spec.finalizers')));
  return errs;
}

export function validateNamespaceUpdate(ns: Incoming<Namespace>, old: Incoming<Namespace>): FieldCause[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  (ns.spec?.finalizers ?? []).forEach((f: string) => errs.push(...validateFinalizerName(f, 'spec.finalizers')));
  return errs;
}

// ---- Node --------------------------------------------------------------------------------

function validateResourceList(list: Record<string, unknown> | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  for (const [name, value] of Object.entries<unknown>(list ?? {})) {
    const f = `${field}[${name}]`;
    errs.push(...invalidEach(f, name, isQualifiedName(name)));
    const q = tryParseQuantity(value);
    if (!q) errs.push(invalid(f, value, QUANTITY_FORMAT_ERROR));
    else if (q.nano < 0n) errs.push(invalid(f, formatQuantity(q), IS_NEGATIVE));
  }
  return errs;
}

export function validateNode(node: Incoming<Node>): FieldCause[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  const spec = node.spec ?? {};
  const cidrs = spec.podCIDRs ?? (spec.podCIDR ? [spec.podCIDR] : []);
  cidrs.forEach((c, i) => errs.push(...invalidEach(`spec.podCIDRs[${i}]`, c, isValidCIDR(c))));
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const f = `spec.taints[${i}]`;
    errs.push(...validateLabelName(t.key ?? '', `${f}.key`));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length) errs.push(invalid(`${f}.value`, t.value, msgs.join(';')));
    if (!t.effect) errs.push(required(`${f}.effect`));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      errs.push(notSupported(`${f}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
    const key = `${t.effect}/${t.key}`;
    if (seen.has(key)) {
      const d = duplicate(
        f,
        new RawValue(`core.Taint{Key:${goQuote(t.key ?? '')}, Value:${goQuote(t.value ?? '')}, Effect:${goQuote(t.effect ?? '')}, TimeAdded:(*v1.Time)(nil)}`),
      );
      errs.push({ ...d, message: `${d.message}: taints must be unique by key and effect pair` });
    }
    seen.add(key);
  });
  errs.push(...validateResourceList(node.status?.capacity, 'status.capacity'));
  errs.push(...validateResourceList(node.status?.allocatable, 'status.allocatable'));
  return errs;
}

export function validateNodeUpdate(node: Incoming<Node>, old: Incoming<Node>): FieldCause[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  errs.push(...validateNode(node).filter((c) => !c.field.startsWith('metadata.')));
  const oldCIDR = old.spec?.podCIDR;
  if (oldCIDR && node.spec?.podCIDR !== oldCIDR) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  const oldProvider = old.spec?.providerID;
  if (oldProvider && node.spec?.providerID !== oldProvider) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

// ---- Service -----------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

/** The duplicate (protocol, port) key, as %#v prints the internal ServicePort built from it. */
function servicePortKey(p: Incoming<ServicePort>): RawValue {
  return new RawValue(
    `core.ServicePort{Name:"", Protocol:${goQuote(p.protocol ?? '')}, AppProtocol:(*string)(nil), Port:${p.port ?? 0}, TargetPort:${intOrStringValue(0).text}, NodePort:0}`,
  );
}

export function validateService(svc: Incoming<Service>): FieldCause[] {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const spec = svc.spec ?? {};
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None';
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && headless) {
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP || spec.clusterIPs?.length) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else errs.push(required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(required(`${f}.name`));
    else if (p.name) {
      errs.push(...invalidEach(`${f}.name`, p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      else names.add(p.name);
    }
    errs.push(...invalidEach(`${f}.port`, p.port ?? 0, isValidPortNum(p.port ?? 0)));
    if (!p.protocol) errs.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    errs.push(...validatePortNumOrName(p.targetPort, `${f}.targetPort`));
    if (spec.type === 'ClusterIP' && p.nodePort) errs.push(forbidden(`${f}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    if (p.nodePort) errs.push(...invalidEach(`${f}.nodePort`, p.nodePort, isValidPortNum(p.nodePort)));
  });
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  const clusterIPs = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  clusterIPs.forEach((ip, i) => {
    if (ip === 'None' || ip === '') return;
    errs.push(...invalidEach(`spec.clusterIPs[${i}]`, ip, isValidIP(ip)));
  });
  (spec.externalIPs ?? []).forEach((ip, i) => errs.push(...invalidEach(`spec.externalIPs[${i}]`, ip, isValidIP(ip))));
  if (!spec.type) errs.push(required('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, SERVICE_TYPES));
  const nodePorts = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    if (p.nodePort) {
      const k = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
      nodePorts.add(k);
    }
    const k = `${p.protocol}/${p.port}`;
    if (portKeys.has(k)) errs.push(duplicate(`spec.ports[${i}]`, servicePortKey(p)));
    portKeys.add(k);
  });
  return errs;
}

export function validateServiceUpdate(svc: Incoming<Service>, old: Incoming<Service>): FieldCause[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  errs.push(...validateService(svc).filter((c) => !c.field.startsWith('metadata.')));
  const wasExternal = old.spec?.type === 'ExternalName';
  const isExternal = svc.spec?.type === 'ExternalName';
  const oldIP = old.spec?.clusterIPs?.[0] ?? old.spec?.clusterIP;
  const newIP = svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP;
  if (!wasExternal && !isExternal && oldIP && newIP !== oldIP) {
    errs.push(invalid('spec.clusterIPs[0]', newIP ?? '', 'may not change once set'));
  }
  return errs;
}

// ---- Endpoints ---------------------------------------------------------------------------

function validateNonSpecialIP(ip: string, field: string): FieldCause[] {
  if (!isIPv4(ip)) return ip === '::' ? [invalid(field, ip, 'may not be unspecified (::)')] : ip === '::1' ? [invalid(field, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')] : [];
  if (ip === '0.0.0.0') return [invalid(field, ip, 'may not be unspecified (0.0.0.0)')];
  // Kubernetes refuses loopback endpoints; skiff allows 127.0.0.0/8 on purpose, because its nodes
  // on one machine are loopback addresses (127.0.1.N) and host-network pods take the node's IP
  // (docs/adr/0002-networking.md). ::1 stays refused.
  if (ip.startsWith('169.254.')) return [invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if (ip.startsWith('224.0.0.')) return [invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  return [];
}

function validateEndpointAddress(a: Incoming<EndpointAddress>, field: string): FieldCause[] {
  const ip = a.ip ?? '';
  const errs = invalidEach(`${field}.ip`, ip, isValidIP(ip));
  if (a.hostname) errs.push(...invalidEach(`${field}.hostname`, a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName) errs.push(...invalidEach(`${field}.nodeName`, a.nodeName, nameIsDNSSubdomain(a.nodeName, false)));
  if (isIP(ip)) errs.push(...validateNonSpecialIP(ip, `${field}.ip`));
  return errs;
}

export function validateEndpoints(ep: Incoming<Endpoints>): FieldCause[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  (ep.subsets ?? []).forEach((ss, i) => {
    const f = `subsets[${i}]`;
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(f, 'must specify `addresses` or `notReadyAddresses`'));
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, `${f}.addresses[${j}]`)));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, `${f}.notReadyAddresses[${j}]`)));
    const ports = ss.ports ?? [];
    ports.forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (ports.length > 1 && !p.name) errs.push(required(`${pf}.name`));
      else if (p.name) errs.push(...invalidEach(`${pf}.name`, p.name, isDNS1123Label(p.name)));
      errs.push(...invalidEach(`${pf}.port`, p.port ?? 0, isValidPortNum(p.port ?? 0)));
      if (!p.protocol) errs.push(required(`${pf}.protocol`));
      else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
    });
  });
  return errs;
}

// ---- Event -------------------------------------------------------------------------------

/** Legacy core/v1 event validation: namespaces must agree; newer-style events need more. */
export function validateEvent(ev: Incoming<Event>): FieldCause[] {
  const errs: FieldCause[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const ioNs = ev.involvedObject?.namespace ?? '';
  if (!ev.metadata?.name) errs.push(required('metadata.name', 'name or generateName is required'));
  if (!ev.eventTime) {
    if (ioNs === '' ? ns !== '' && ns !== 'default' : ns !== ioNs) errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  } else {
    if (ioNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    if (!ev.reportingComponent) errs.push(required('reportingComponent'));
    errs.push(...invalidEach('reportingComponent', ev.reportingComponent ?? '', isQualifiedName(ev.reportingComponent ?? '')));
    if (!ev.reportingInstance) errs.push(required('reportingInstance'));
    if ((ev.reportingInstance ?? '').length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!ev.action) errs.push(required('action'));
    if ((ev.action ?? '').length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
    if (!ev.reason) errs.push(required('reason'));
    if ((ev.reason ?? '').length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
    if ((ev.message ?? '').length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  errs.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return errs;
}

// ---- Lease -------------------------------------------------------------------------------

export function validateLease(lease: Incoming<Lease>): FieldCause[] {
  const errs = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  const spec = lease.spec ?? {};
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, IS_NEGATIVE));
  }
  return errs;
}

