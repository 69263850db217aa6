// PodSpec validation (pkg/apis/core/validation: ValidatePodSpec and what it calls), for Pods
// and for the pod templates inside workloads. Every rule appends to one list so the caller
// sees every failing field at once.

import type { Affinity, Container, ContainerPort, EnvVar, LifecycleHandler, NodeSelectorTerm, PodSpec, Probe, ResourceRequirements, Toleration, Volume, VolumeMount } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { compareQuantity, formatQuantity, QUANTITY_FORMAT_ERROR, tryParseQuantity, type Quantity } from '../quantity.ts';
import { duplicate, forbidden, invalid, invalidEach, IS_NEGATIVE, nonNegative, notFound, notSupported, required } from './errors.ts';
import { nameIsDNSSubdomain, validateLabelName, validateLabels } from './meta.ts';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isEnvVarName,
  isHTTPHeaderName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from './strings.ts';
import { validateEnvFrom, validateKeySelector, validateVolumeSource } from './volumes.ts';

export interface PodSpecOptions {
  /** A real Pod (stricter: hostPort must equal containerPort under hostNetwork, image whitespace). */
  isPod: boolean;
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

export function validatePortNumOrName(port: unknown, field: string): FieldCause[] {
  if (typeof port === 'number') return invalidEach(field, port, isValidPortNum(port));
  if (typeof port === 'string') return invalidEach(field, port, isValidPortName(port));
  return [invalid(field, port, 'must be an int or a port name')];
}

function validateContainerPorts(ports: Incoming<ContainerPort>[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const f = `${field}[${i}]`;
    if (p.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) errs.push(...invalidEach(`${f}.name`, p.name, msgs));
      else if (names.has(p.name)) errs.push(duplicate(`${f}.name`, p.name));
      else names.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${f}.containerPort`));
    else errs.push(...invalidEach(`${f}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p.hostPort) errs.push(...invalidEach(`${f}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    if (!p.protocol) errs.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: Incoming<EnvVar>[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (env ?? []).forEach((e, i) => {
    const f = `${field}[${i}]`;
    if (!e.name) errs.push(required(`${f}.name`));
    else errs.push(...invalidEach(`${f}.name`, e.name, isEnvVarName(e.name)));
    const from = e.valueFrom;
    if (!from) return;
    const vf = `${f}.valueFrom`;
    const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((k) => from[k] !== undefined);
    if (from.fieldRef) {
      const ref = from.fieldRef;
      if (!ref.apiVersion) errs.push(required(`${vf}.fieldRef.apiVersion`));
      else if (!ref.fieldPath) errs.push(required(`${vf}.fieldRef.fieldPath`));
      else {
        const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(ref.fieldPath);
        if (m) errs.push(...validateLabelName(m[1] === 'annotations' ? m[2].toLowerCase() : m[2], `${vf}.fieldRef`));
        else if (!ENV_FIELD_PATHS.includes(ref.fieldPath)) errs.push(notSupported(`${vf}.fieldRef.fieldPath`, ref.fieldPath, [...ENV_FIELD_PATHS].sort()));
      }
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[k];
      if (ref) errs.push(...validateKeySelector(ref, `${vf}.${k}`));
    }
    if (sources.length === 0) errs.push(invalid(vf, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (e.value) errs.push(invalid(vf, '', 'may not be specified when `value` is not empty'));
    else if (sources.length > 1) errs.push(invalid(vf, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets',
  'configmaps', 'persistentvolumeclaims', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const INTEGER_RESOURCES = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims']);

function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

/** validateContainerResourceName: a qualified name, standard for containers or extended. */
function validateResourceName(name: string, field: string): FieldCause[] {
  const errs = invalidEach(field, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !name.startsWith('hugepages-')) errs.push(invalid(field, name, 'must be a standard resource type or fully qualified'));
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) errs.push(invalid(field, name, 'must be a standard resource for containers'));
  } else if (!name.startsWith("kubernetes.io/") && isQualifiedName(`requests.${name}`).length > 0) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Overcommit (request < limit) is allowed only for cpu, memory, storage and hugepages. */
function isOvercommitAllowed(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/');
}

export function validateResourceRequirements(res: Incoming<ResourceRequirements> | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const parsed = { limits: new Map<string, Quantity | undefined>(), requests: new Map<string, Quantity | undefined>() };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, value] of Object.entries<unknown>(res?.[kind] ?? {})) {
      const f = `${field}.${kind}[${name}]`;
      errs.push(...validateResourceName(name, f));
      const q = tryParseQuantity(value);
      parsed[kind].set(name, q);
      if (!q) {
        errs.push(invalid(f, value, QUANTITY_FORMAT_ERROR));
        continue;
      }
      if (q.nano < 0n) errs.push(invalid(f, formatQuantity(q), IS_NEGATIVE));
      if ((INTEGER_RESOURCES.has(name) || isExtendedResource(name)) && q.nano % 1_000_000_000n !== 0n) {
        errs.push(invalid(f, formatQuantity(q), 'must be an integer'));
      }
    }
  }
  for (const [name, req] of parsed.requests) {
    const lim = parsed.limits.get(name);
    if (!req || !lim) continue;
    const cmp = compareQuantity(req, lim);
    if (cmp !== 0 && !isOvercommitAllowed(name)) {
      errs.push(invalid(`${field}.requests`, formatQuantity(req), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
    } else if (cmp > 0) {
      errs.push(invalid(`${field}.requests`, formatQuantity(req), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
    }
  }
  return errs;
}

function validateHandler(h: Incoming<LifecycleHandler> & Pick<Incoming<Probe>, 'grpc'>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  let n = 0;
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const) {
    if (h[kind] === undefined) continue;
    if (n++ > 0) {
      errs.push(forbidden(`${field}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    const f = `${field}.${kind}`;
    if (kind === 'exec' && !h.exec?.command?.length) errs.push(required(`${f}.command`));
    const a = h.httpGet;
    if (kind === 'httpGet' && a) {
      if (!a.path) errs.push(required(`${f}.path`));
      errs.push(...validatePortNumOrName(a.port, `${f}.port`));
      if (!['HTTP', 'HTTPS'].includes(a.scheme ?? '')) errs.push(notSupported(`${f}.scheme`, a.scheme ?? '', ['HTTP', 'HTTPS']));
      for (const hdr of a.httpHeaders ?? []) errs.push(...invalidEach(`${f}.httpHeaders`, hdr.name, isHTTPHeaderName(hdr.name ?? '')));
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(h.tcpSocket?.port, `${f}.port`));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(h.grpc?.port, `${f}.port`));
  }
  if (n === 0) errs.push(required(field, 'must specify a handler type'));
  return errs;
}

function validateProbe(p: Incoming<Probe> | undefined, field: string, successMustBeOne: boolean): FieldCause[] {
  if (!p) return [];
  const errs = validateHandler(p, field);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(`${field}.${k}`, p[k]));
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(`${field}.terminationGracePeriodSeconds`, p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (successMustBeOne && p.successThreshold !== 1) errs.push(invalid(`${field}.successThreshold`, p.successThreshold ?? 0, 'must be 1'));
  return errs;
}

function validateVolumeMounts(mounts: Incoming<VolumeMount>[] | undefined, volumes: Set<string>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const paths = new Set<string | undefined>();
  (mounts ?? []).forEach((m, i) => {
    const f = `${field}[${i}]`;
    if (!m.name) errs.push(required(`${f}.name`));
    if (!volumes.has(m.name ?? '')) errs.push(notFound(`${f}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(required(`${f}.mountPath`));
    if (paths.has(m.mountPath)) errs.push(invalid(`${f}.mountPath`, m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(`${f}.subPath`, m.subPath, m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'"));
    }
  });
  return errs;
}

function validateContainerCommon(c: Incoming<Container>, volumes: Set<string>, field: string, opts: PodSpecOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  if (!c.name) errs.push(required(`${field}.name`));
  else errs.push(...invalidEach(`${field}.name`, c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(required(`${field}.image`));
  else if (opts.isPod && c.image.trim() !== c.image) errs.push(invalid(`${field}.image`, c.image, 'must not have leading or trailing whitespace'));
  if (!c.terminationMessagePolicy) errs.push(required(`${field}.terminationMessagePolicy`));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(`${field}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validateContainerPorts(c.ports, `${field}.ports`));
  errs.push(...validateEnv(c.env, `${field}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${field}.envFrom`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${field}.volumeMounts`));
  if (!c.imagePullPolicy) errs.push(required(`${field}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(notSupported(`${field}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  errs.push(...validateResourceRequirements(c.resources, `${field}.resources`));
  return errs;
}

/** Host ports must not collide (protocol, hostIP, port) within the list. */
function checkHostPortConflicts(containers: Incoming<Container>[], field: string): FieldCause[] {
  const seen = new Set<string>();
  const errs: FieldCause[] = [];
  containers.forEach((c, ci) =>
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(`${field}[${ci}].ports[${pi}].hostPort`, key));
      seen.add(key);
    }),
  );
  return errs;
}

function validateContainers(containers: Incoming<Container>[] | undefined, volumes: Set<string>, field: string, opts: PodSpecOptions): FieldCause[] {
  if (!containers?.length) return [required(field)];
  const errs: FieldCause[] = [];
  const names = new Set<string | undefined>();
  containers.forEach((c, i) => {
    const f = `${field}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, f, opts));
    if (names.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
    else names.add(c.name);
    errs.push(...validateProbe(c.livenessProbe, `${f}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${f}.readinessProbe`, false));
    if (c.readinessProbe?.terminationGracePeriodSeconds !== undefined) {
      errs.push(invalid(`${f}.readinessProbe.terminationGracePeriodSeconds`, c.readinessProbe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    }
    errs.push(...validateProbe(c.startupProbe, `${f}.startupProbe`, true));
    if (c.restartPolicy !== undefined) errs.push(forbidden(`${f}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, field));
  return errs;
}

function validateInitContainers(inits: Incoming<Container>[] | undefined, regular: Incoming<Container>[] | undefined, volumes: Set<string>, field: string, opts: PodSpecOptions): FieldCause[] {
  const errs: FieldCause[] = [];
  const names = new Set<string | undefined>((regular ?? []).map((c) => c.name));
  (inits ?? []).forEach((c, i) => {
    const f = `${field}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, f, opts));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !sidecar) errs.push(notSupported(`${f}.restartPolicy`, c.restartPolicy, ['Always']));
    if (names.has(c.name)) errs.push(duplicate(`${f}.name`, c.name));
    else if (c.name) names.add(c.name);
    errs.push(...checkHostPortConflicts([c], field));
    if (sidecar) {
      errs.push(...validateProbe(c.livenessProbe, `${f}.livenessProbe`, true));
      errs.push(...validateProbe(c.readinessProbe, `${f}.readinessProbe`, false));
      errs.push(...validateProbe(c.startupProbe, `${f}.startupProbe`, true));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (c[k] !== undefined) errs.push(forbidden(`${f}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

function validateVolumes(volumes: Incoming<Volume>[] | undefined, field: string): { names: Set<string>; errs: FieldCause[] } {
  const names = new Set<string>();
  const errs: FieldCause[] = [];
  (volumes ?? []).forEach((v, i) => {
    const f = `${field}[${i}]`;
    const el: FieldCause[] = [];
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length === 0) el.push(required(f, 'must specify a volume type'));
    sources.slice(1).forEach((s) => el.push(forbidden(`${f}.${s}`, 'may not specify more than 1 volume type')));
    el.push(...validateVolumeSource(v, f));
    if (!v.name) el.push(required(`${f}.name`));
    else el.push(...invalidEach(`${f}.name`, v.name, isDNS1123Label(v.name)));
    if (names.has(v.name ?? '')) el.push(duplicate(`${f}.name`, v.name));
    if (el.length === 0 && v.name) names.add(v.name);
    errs.push(...el);
  });
  return { names, errs };
}

export function validateNodeSelectorTerm(term: Incoming<NodeSelectorTerm> | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (term?.matchExpressions ?? []).forEach((r, j) => {
    const f = `${field}.matchExpressions[${j}]`;
    const n = r.values?.length ?? 0;
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if (n === 0) errs.push(required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (r.operator === 'Exists' || r.operator === 'DoesNotExist') {
      if (n > 0) errs.push(forbidden(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (r.operator === 'Gt' || r.operator === 'Lt') {
      if (n !== 1) errs.push(required(`${f}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else {
      errs.push(invalid(`${f}.operator`, r.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(r.key ?? '', `${f}.key`));
    (r.values ?? []).forEach((v: string, i: number) => errs.push(...invalidEach(`${f}.values[${i}]`, v, isValidLabelValue(v))));
  });
  (term?.matchFields ?? []).forEach((r, j) => {
    const f = `${field}.matchFields[${j}]`;
    if (r.operator === 'In' || r.operator === 'NotIn') {
      if ((r.values?.length ?? 0) !== 1) errs.push(required(`${f}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(invalid(`${f}.operator`, r.operator ?? '', 'not a valid selector operator'));
    }
    if (r.key !== 'metadata.name') errs.push(invalid(`${f}.key`, r.key ?? '', 'not a valid field selector key'));
    else (r.values ?? []).forEach((v: string, i: number) => errs.push(...invalidEach(`${f}.values[${i}]`, v, nameIsDNSSubdomain(v, false))));
  });
  return errs;
}

function validateAffinity(affinity: Incoming<Affinity> | undefined, field: string): FieldCause[] {
  const na = affinity?.nodeAffinity;
  if (!na) return [];
  const errs: FieldCause[] = [];
  const req = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    const f = `${field}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
    if (!req.nodeSelectorTerms?.length) errs.push(required(f, 'must have at least one node selector term'));
    else req.nodeSelectorTerms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${f}[${i}]`)));
  }
  (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
    const f = `${field}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    const weight = t.weight ?? 0;
    if (!(weight > 0 && weight <= 100)) errs.push(invalid(`${f}.weight`, weight, 'must be in the range 1-100'));
    errs.push(...validateNodeSelectorTerm(t.preference, `${f}.preference`));
  });
  return errs;
}

export function validateTolerations(tolerations: Incoming<Toleration>[] | undefined, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const f = `${field}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${f}.key`));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(`${f}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(`${f}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === 'Equal') {
      const msgs = isValidLabelValue(t.value ?? '');
      if (msgs.length) errs.push(invalid(`${f}.operator`, t.value ?? '', msgs.join(';')));
    } else if (t.operator === 'Exists') {
      if (t.value) errs.push(invalid(`${f}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${f}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

export function validatePodSpec(spec: Incoming<PodSpec> | undefined, field: string, opts: PodSpecOptions): FieldCause[] {
  const s = spec ?? {};
  const errs: FieldCause[] = [];
  if (s.terminationGracePeriodSeconds === undefined) errs.push(required(`${field}.terminationGracePeriodSeconds`));
  const { names: volumes, errs: volErrs } = validateVolumes(s.volumes, `${field}.volumes`);
  errs.push(...volErrs);
  errs.push(...validateContainers(s.containers, volumes, `${field}.containers`, opts));
  errs.push(...validateInitContainers(s.initContainers, s.containers, volumes, `${field}.initContainers`, opts));
  if (s.hostNetwork) {
    (s.containers ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((p, j) => {
        if ((opts.isPod || p.hostPort) && (p.hostPort ?? 0) !== p.containerPort) {
          errs.push(invalid(`${field}.containers[${i}].ports[${j}].hostPort`, p.hostPort ?? 0, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  if (!s.restartPolicy) errs.push(required(`${field}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(s.restartPolicy)) errs.push(notSupported(`${field}.restartPolicy`, s.restartPolicy, RESTART_POLICIES));
  if (!s.dnsPolicy) errs.push(required(`${field}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(s.dnsPolicy)) errs.push(notSupported(`${field}.dnsPolicy`, s.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, `${field}.nodeSelector`));
  errs.push(...validateAffinity(s.affinity, `${field}.affinity`));
  for (const k of ['serviceAccountName', 'nodeName', 'priorityClassName', 'schedulerName'] as const) {
    // schedulerName is checked as a subdomain too, like the others here.
    const name = s[k];
    if (name) errs.push(...invalidEach(`${field}.${k}`, name, nameIsDNSSubdomain(name, false)));
  }
  if (s.activeDeadlineSeconds !== undefined && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > 2 ** 31 - 1)) {
    errs.push(invalid(`${field}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRangeError(1, 2 ** 31 - 1)));
  }
  if (s.hostname) errs.push(...invalidEach(`${field}.hostname`, s.hostname, isDNS1123Label(s.hostname)));
  if (s.subdomain) errs.push(...invalidEach(`${field}.subdomain`, s.subdomain, isDNS1123Label(s.subdomain)));
  errs.push(...validateTolerations(s.tolerations, `${field}.tolerations`));
  if (s.preemptionPolicy !== undefined && !['PreemptLowerPriority', 'Never'].includes(s.preemptionPolicy)) {
    errs.push(notSupported(`${field}.preemptionPolicy`, s.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

