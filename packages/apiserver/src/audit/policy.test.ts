import { levelFor, parsePolicy } from './policy.ts';
import { requestAttributes } from '../authz/attributes.ts';

const alice = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const policy = parsePolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    users: [system:kube-proxy]
    verbs: [watch]
  - level: None
    nonResourceURLs: ["/healthz*"]
  - level: RequestResponse
    resources: [{ group: "apps", resources: ["deployments/*"] }]
  - level: Request
    resources: [{ group: "", resources: ["*/status"] }]
  - level: Request
    userGroups: [devs]
    namespaces: [dev]
  - level: Metadata
    resources: [{ group: "", resources: ["configmaps"], resourceNames: [special] }]
  - level: None
    resources: [{ group: "" }]
`);
const level = (method: string, url: string, user = alice) => levelFor(policy, requestAttributes(user, method, url)).level;

test('rules match as kube-apiserver\'s policy checker: first match wins, None when nothing matches', () => {
  expect(level('GET', '/api/v1/nodes?watch=true', { username: 'system:kube-proxy', groups: [] })).toBe('None');
  expect(level('GET', '/api/v1/nodes?watch=true')).toBe('None'); // falls to the last rule (core group)
  expect(level('GET', '/healthz/ready')).toBe('None');
  expect(level('GET', '/version')).toBe('None'); // no rule: None
  expect(level('PUT', '/apis/apps/v1/namespaces/x/deployments/d/scale')).toBe('RequestResponse');
  expect(level('PUT', '/apis/apps/v1/namespaces/x/deployments/d')).toBe('RequestResponse'); // as in Kubernetes, deployments/* also matches deployments itself
  expect(level('PUT', '/api/v1/namespaces/x/pods/p/status')).toBe('Request');
  expect(level('POST', '/api/v1/namespaces/dev/pods')).toBe('Request');
  expect(level('GET', '/api/v1/namespaces/prod/configmaps/special')).toBe('Metadata');
  expect(level('GET', '/api/v1/namespaces/prod/configmaps/other')).toBe('None');
});

test('a malformed policy is refused with where', () => {
  expect(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{ level: Loud }]')).toThrow(/rules\[0\]\.level must be one of/);
  expect(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{ level: None, nonResourceURLs: ["/x"], namespaces: [a] }]')).toThrow(/not both/);
  expect(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: []')).toThrow(/non-empty/);
});

test('timestamps are MicroTime: RFC 3339 with six fraction digits', async () => {
  const { microTime } = await import('./event.ts');
  expect(microTime(new Date(Date.UTC(2026, 11, 6, 3, 4, 5, 123)))).toBe('2026-12-06T03:04:05.123000Z');
});
