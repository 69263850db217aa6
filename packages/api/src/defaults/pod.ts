// Pod and pod-template defaulting, following pkg/apis/core/v1/defaults.go. These mutate the
// (already cloned) object they are given; applyDefaults in ./index.ts does the cloning.

import type { Container, HTTPGetAction, Pod, PodSpec, PodTemplateSpec, Probe, Volume } from '../model/types.generated.ts';
import type { Incoming } from '../object.ts';
import { formatQuantity, roundUpToMilli, tryParseQuantity } from '../quantity.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/**
 * The tag docker's reference parser would find: `latest` when neither tag nor digest is given,
 * '' for digests or names it cannot parse (Kubernetes then falls back to IfNotPresent).
 */
export function imageTag(image: string | undefined): string {
  if (!image || /\s/.test(image)) return '';
  let rest = image;
  const at = rest.indexOf('@');
  const hasDigest = at >= 0;
  if (hasDigest) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const lastComponent = rest.slice(slash + 1);
  const colon = lastComponent.indexOf(':');
  const tag = colon >= 0 ? lastComponent.slice(colon + 1) : '';
  const repo = colon >= 0 ? rest.slice(0, slash + 1 + colon) : rest;
  // Repository paths are lower case (a registry host may carry a port and upper case).
  const path = repo.includes('/') && /[.:]|^localhost$/.test(repo.slice(0, repo.indexOf('/'))) ? repo.slice(repo.indexOf('/') + 1) : repo;
  if (path === '' || /[A-Z]/.test(path)) return '';
  if (colon >= 0 && !/^[\w][\w.-]{0,127}$/.test(tag)) return '';
  if (tag === '' && !hasDigest) return 'latest';
  return tag;
}

export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** SetDefaults_ResourceList: round up to milli precision; also store the canonical form. */
export function defaultResourceList(list: Record<string, string | undefined> | undefined): void {
  if (!list) return;
  for (const k of Object.keys(list)) {
    const q = tryParseQuantity(list[k]);
    // Unparsable values are left for validation to report.
    if (q) list[k] = formatQuantity(roundUpToMilli(q));
  }
}

function defaultHTTPGet(h: Incoming<HTTPGetAction> | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: Incoming<Probe> | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
}

function defaultContainer(c: Incoming<Container>): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = TERMINATION_MESSAGE_PATH;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
  }
  // Go always serialises the resources struct, so Kubernetes shows `resources: {}`.
  if (!c.resources) c.resources = {};
  defaultResourceList(c.resources.limits);
  defaultResourceList(c.resources.requests);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
}

function defaultVolume(v: Incoming<Volume>): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
}

/** SetDefaults_PodSpec plus everything nested in it; shared by Pods and pod templates. */
export function defaultPodSpec(spec: Incoming<PodSpec> | undefined): void {
  if (!spec) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined) spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  if (!spec.schedulerName) spec.schedulerName = DEFAULT_SCHEDULER_NAME;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
}

/**
 * SetDefaults_Pod: only for real Pods, not templates, so that changing these rules never
 * changes a Deployment's template hash and rolls every workload.
 */
export function defaultPod(pod: Incoming<Pod>): void {
  const spec = pod.spec;
  if (!spec) return;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const resources = c.resources;
    if (!resources?.limits) continue;
    const requests = (resources.requests ??= {});
    for (const [k, v] of Object.entries(resources.limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
  }
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec);
}

/** Template defaulting for Deployments, ReplicaSets and ReplicationControllers. */
export function defaultPodTemplate(template: Incoming<PodTemplateSpec> | undefined): void {
  if (!template) return;
  defaultPodSpec(template.spec);
}
