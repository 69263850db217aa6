// networking.k8s.io/v1 Ingress, as Kubernetes' ValidateIngressCreate/Update check it
// (pkg/apis/networking/validation): a default backend or rules; each backend a service (name,
// port name or number) or a resource, not both; hosts DNS names (a leading `*.` allowed), not IPs;
// each HTTP path with a pathType, absolute and clean for Exact and Prefix; TLS hosts; the class
// name, and not both it and the `kubernetes.io/ingress.class` annotation on create.
import type { HTTPIngressPath, Ingress, IngressBackend, IngressSpec } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { invalid, invalidEach, notSupported, RawValue, required } from './errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1035Label, isDNS1123Subdomain, isIP, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain } from './strings.ts';

export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const BAD_PATH_PARTS = ['//', '/./', '/../', '%2f', '%2F'];
const BAD_PATH_ENDS = ['/..', '/.'];

/** Decoding has checked the shapes; a list element may still be null. */
const list = <T>(v: readonly (T | null | undefined)[] | undefined | null): T[] => (v ?? []).filter((x): x is T => !!x);

function validateHost(host: string, field: string): FieldCause[] {
  if (isIP(host)) return [invalid(field, host, 'must be a DNS name, not an IP address')];
  return invalidEach(field, host, host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host));
}

function validateBackend(b: Incoming<IngressBackend>, field: string): FieldCause[] {
  const hasService = b.service !== undefined && b.service !== null;
  const hasResource = b.resource !== undefined && b.resource !== null;
  if (hasService && hasResource) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (b.resource) {
    const r = b.resource;
    const errs: FieldCause[] = [];
    if (!r.kind) errs.push(required(`${field}.resource.kind`));
    if (!r.name) errs.push(required(`${field}.resource.name`));
    return errs;
  }
  if (!b.service) return [invalid(field, '', 'resource or service backend is required')];
  const s = b.service;
  const errs: FieldCause[] = [];
  if (!s.name) errs.push(required(`${field}.service.name`));
  else errs.push(...invalidEach(`${field}.service.name`, s.name, isDNS1035Label(s.name)));
  const port = s.port ?? {};
  const name = typeof port.name === 'string' ? port.name : '';
  const number = typeof port.number === 'number' ? port.number : 0;
  if (name && number) errs.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (name) errs.push(...invalidEach(`${field}.service.port.name`, name, isValidPortName(name)));
  else if (number) errs.push(...invalidEach(`${field}.service.port.number`, number, isValidPortNum(number)));
  else errs.push(required(field, 'port name or number is required'));
  return errs;
}

function validatePath(p: Incoming<HTTPIngressPath>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const path = typeof p.path === 'string' ? p.path : '';
  if (p.pathType === undefined || p.pathType === null) errs.push(required(`${field}.pathType`, 'pathType must be specified'));
  else if (!PATH_TYPES.includes(p.pathType)) errs.push(notSupported(`${field}.pathType`, p.pathType, PATH_TYPES));
  else if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
    if (path.length > 0) {
      for (const bad of BAD_PATH_PARTS) if (path.includes(bad)) errs.push(invalid(`${field}.path`, path, `must not contain '${bad}'`));
      for (const bad of BAD_PATH_ENDS) if (path.endsWith(bad)) errs.push(invalid(`${field}.path`, path, `cannot end with '${bad}'`));
    }
  } else if (path.length > 0 && !path.startsWith('/')) errs.push(invalid(`${field}.path`, path, 'must be an absolute path'));
  errs.push(...validateBackend(p.backend ?? {}, `${field}.backend`));
  return errs;
}

export function validateIngressSpec(spec: Incoming<IngressSpec> | undefined, field = 'spec'): FieldCause[] {
  const s = spec ?? {};
  const errs: FieldCause[] = [];
  const rules = list(s.rules);
  const hasDefault = s.defaultBackend !== undefined && s.defaultBackend !== null;
  if (rules.length === 0 && !hasDefault) {
    // Go prints the (empty) rules slice with %#v.
    const shown = new RawValue(Array.isArray(s.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)');
    errs.push(invalid(field, shown, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, `${field}.defaultBackend`));
  rules.forEach((r, i) => {
    const f = `${field}.rules[${i}]`;
    if (typeof r.host === 'string' && r.host) errs.push(...validateHost(r.host, `${f}.host`));
    if (r.http) {
      const paths = list(r.http.paths);
      if (paths.length === 0) errs.push(required(`${f}.http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(p, `${f}.http.paths[${j}]`)));
    }
  });
  list(s.tls).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => {
      if (typeof h === 'string') errs.push(...invalidEach(`${field}.tls[${i}].hosts[${j}]`, h, h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h)));
    });
    if (typeof t.secretName === 'string' && t.secretName) errs.push(...invalidEach(`${field}.tls[${i}].secretName`, t.secretName, isDNS1123Subdomain(t.secretName)));
  });
  if (typeof s.ingressClassName === 'string') errs.push(...invalidEach(`${field}.ingressClassName`, s.ingressClassName, isDNS1123Subdomain(s.ingressClassName)));
  return errs;
}

export function validateIngress(ing: Incoming<Ingress>): FieldCause[] {
  const errs = [...validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain), ...validateIngressSpec(ing.spec)];
  const annotation = ing.metadata?.annotations?.[CLASS_ANNOTATION];
  if (annotation !== undefined && typeof ing.spec?.ingressClassName === 'string') {
    errs.push(invalid(`annotations.${CLASS_ANNOTATION}`, annotation, 'can not be set when the class field is also set'));
  }
  return errs;
}

export function validateIngressUpdate(ing: Incoming<Ingress>, old: Incoming<Ingress>): FieldCause[] {
  return [...validateObjectMetaUpdate(ing.metadata, old.metadata), ...validateIngressSpec(ing.spec)];
}
