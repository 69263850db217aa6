import { validateIngress, validateIngressUpdate } from './networking.ts';

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({ metadata: { name: 'ing', namespace: 'default', ...(annotations ? { annotations } : {}) }, spec });
const causes = (spec: Record<string, unknown>, annotations?: Record<string, string>) => validateIngress(ingress(spec, annotations)).map((c) => `${c.field}: ${c.message}`);

test('a valid Ingress: rules with hosts (wildcards too), typed paths and TLS, or a default backend alone', () => {
  expect(causes({ defaultBackend: backend })).toEqual([]);
  expect(causes({
    ingressClassName: 'nginx',
    tls: [{ hosts: ['*.example.com'], secretName: 'tls' }],
    rules: [
      { host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }, { path: '/api', pathType: 'Exact', backend: { service: { name: 'api', port: { name: 'http' } } } }] } },
      { host: '*.example.com', http: { paths: [{ pathType: 'ImplementationSpecific', backend: { resource: { apiGroup: 'example.com', kind: 'Bucket', name: 'static' } } }] } },
    ],
  })).toEqual([]);
});

test('every cause of a bad Ingress, with Kubernetes\' messages', () => {
  expect(causes({})).toEqual(['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
  expect(causes({
    defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } }, resource: { kind: 'K', name: 'n' } },
    rules: [
      { host: '10.0.0.1', http: { paths: [] } },
      { host: 'Bad_Host', http: { paths: [{ path: 'relative', pathType: 'Prefix', backend: {} }, { path: '/a//b/..', pathType: 'Exact', backend: { service: { name: 'Web', port: {} } } }, { path: '/', backend }, { path: '/', pathType: 'Regex', backend: { service: { name: 'web', port: { number: 70000 } } } }] } },
    ],
    tls: [{ hosts: ['*.*.example.com'] }],
    ingressClassName: 'Bad Class',
  })).toEqual([
    'spec.defaultBackend: Invalid value: "": cannot set both resource and service backends',
    'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    'spec.rules[0].http.paths: Required value',
    expect.stringMatching(/^spec\.rules\[1\]\.host: Invalid value: "Bad_Host": a lowercase RFC 1123 subdomain/),
    'spec.rules[1].http.paths[0].path: Invalid value: "relative": must be an absolute path',
    'spec.rules[1].http.paths[0].backend: Invalid value: "": resource or service backend is required',
    "spec.rules[1].http.paths[1].path: Invalid value: \"/a//b/..\": must not contain '//'",
    "spec.rules[1].http.paths[1].path: Invalid value: \"/a//b/..\": cannot end with '/..'",
    expect.stringMatching(/^spec\.rules\[1\]\.http\.paths\[1\]\.backend\.service\.name: Invalid value: "Web": a DNS-1035 label/),
    'spec.rules[1].http.paths[1].backend: Required value: port name or number is required',
    'spec.rules[1].http.paths[2].pathType: Required value: pathType must be specified',
    'spec.rules[1].http.paths[3].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    'spec.rules[1].http.paths[3].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
    expect.stringMatching(/^spec\.tls\[0\]\.hosts\[0\]: Invalid value: "\*\.\*\.example\.com": a wildcard DNS-1123 subdomain must start with '\*\.'/),
    expect.stringMatching(/^spec\.ingressClassName: Invalid value: "Bad Class": a lowercase RFC 1123 subdomain/),
  ]);
  expect(causes({ ingressClassName: 'nginx', defaultBackend: backend }, { 'kubernetes.io/ingress.class': 'nginx' })).toEqual([
    'annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is also set',
  ]);
  expect(causes({ defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } } } })).toEqual(['spec.defaultBackend: Invalid value: "": cannot set both port name & port number']);
  expect(causes({ defaultBackend: { resource: {} } })).toEqual(['spec.defaultBackend.resource.kind: Required value', 'spec.defaultBackend.resource.name: Required value']);
});

test('an update is checked the same way (the class annotation rule is for creates only)', () => {
  const old = { ...ingress({ defaultBackend: backend }), metadata: { name: 'ing', namespace: 'default', resourceVersion: '1', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' } };
  const next = { ...old, spec: { rules: [{ http: { paths: [{ path: '/', backend }] } }] } };
  expect(validateIngressUpdate(next, old).map((c) => `${c.field}: ${c.message}`)).toEqual(['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
});
