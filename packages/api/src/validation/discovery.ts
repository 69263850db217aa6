// discovery.k8s.io/v1 EndpointSlice, as Kubernetes' ValidateEndpointSlice checks it: an address
// type (IPv4, IPv6, FQDN; immutable), at most 1000 endpoints of 1 to 100 addresses each, valid
// for the type, hostnames and node names well formed, at most 100 ports with unique valid names.
import type { EndpointSlice } from '../model/types.generated.ts';
import type { FieldCause, Incoming } from '../object.ts';
import { duplicate, invalid, invalidEach, notSupported, required, tooMany } from './errors.ts';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isValidIP, isValidPortNum } from './strings.ts';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;

function validateAddress(type: string, address: string, field: string): FieldCause[] {
  if (type === 'FQDN') return invalidEach(field, address, isDNS1123Subdomain(address));
  const problems = isValidIP(address);
  if (problems.length) return invalidEach(field, address, problems);
  if ((type === 'IPv4') !== isIPv4(address)) return [invalid(field, address, `must be an ${type} address`)];
  return [];
}

export function validateEndpointSlice(slice: Incoming<EndpointSlice>): FieldCause[] {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain);
  const type = typeof slice.addressType === 'string' ? slice.addressType : '';
  if (!type) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? x : ({} as T))) : []);
  const endpoints = list(slice.endpoints);
  if (!Array.isArray(slice.endpoints)) errs.push(required('endpoints'));
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((e, i) => {
    const f = `endpoints[${i}]`;
    const addresses: string[] = Array.isArray(e.addresses) ? e.addresses.map(String) : [];
    if (addresses.length === 0) errs.push(required(`${f}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(`${f}.addresses`, addresses.length, MAX_ADDRESSES));
    if (ADDRESS_TYPES.includes(type)) addresses.forEach((a, j) => errs.push(...validateAddress(type, a, `${f}.addresses[${j}]`)));
    if (e.hostname) errs.push(...invalidEach(`${f}.hostname`, e.hostname, isDNS1123Label(String(e.hostname))));
    if (e.nodeName) errs.push(...invalidEach(`${f}.nodeName`, e.nodeName, nameIsDNSSubdomain(String(e.nodeName), false)));
  });
  const ports = list(slice.ports);
  if (ports.length > MAX_PORTS) errs.push(tooMany('ports', ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `ports[${i}]`;
    const name = String(p.name ?? '');
    if (name) errs.push(...invalidEach(`${f}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${f}.name`, name));
    names.add(name);
    if (!p.protocol) errs.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(String(p.protocol))) errs.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    if (p.port !== undefined && p.port !== null) errs.push(...invalidEach(`${f}.port`, p.port, typeof p.port === 'number' ? isValidPortNum(p.port) : ['must be an integer']));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: Incoming<EndpointSlice>, old: Incoming<EndpointSlice>): FieldCause[] {
  const errs = [...validateObjectMetaUpdate(slice.metadata, old.metadata), ...validateEndpointSlice(slice).filter((c) => !c.field.startsWith('metadata.'))];
  if (old.addressType && slice.addressType !== old.addressType) errs.push(invalid('addressType', slice.addressType ?? '', 'field is immutable'));
  return errs;
}
