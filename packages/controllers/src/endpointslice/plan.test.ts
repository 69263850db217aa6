import { SERVICE_NAME_LABEL, type KubeObject } from '@skiff/api';
import { computeEndpointGroups, MANAGED_BY_CONTROLLER, MAX_ENDPOINTS_PER_SLICE, mirrorEndpointGroups, planEndpointSlices } from './plan.ts';

const svc = (o: { publishNotReady?: boolean; selector?: Record<string, string> | null } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
  spec: { ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }), ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}) },
});

const pod = (name: string, ip: string, o: { ready?: boolean; deleting?: boolean; port?: number } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `u-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

let n = 0;
/** What the API server would hold after creating `s` (a name from generateName). */
const stored = (s: KubeObject): KubeObject => ({ ...s, metadata: { ...s.metadata, name: `web-${String(n++).padStart(5, '0')}` } });

describe('EndpointSlice conditions', () => {
  test('ready, not ready, terminating-but-serving and terminating-not-serving pods', () => {
    const [g] = computeEndpointGroups(svc(), [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { ready: false }), pod('c', '10.0.0.3', { deleting: true }), pod('d', '10.0.0.4', { deleting: true, ready: false })])!;
    expect(g.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(g.endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ['10.0.0.1', { ready: true, serving: true, terminating: false }],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }],
      ['10.0.0.3', { ready: false, serving: true, terminating: true }],
      ['10.0.0.4', { ready: false, serving: false, terminating: true }],
    ]);
    expect(g.endpoints[0]).toMatchObject({ nodeName: 'n1', targetRef: { kind: 'Pod', name: 'a', uid: 'u-a' } });
  });

  test('publishNotReadyAddresses: every endpoint is ready', () => {
    const [g] = computeEndpointGroups(svc({ publishNotReady: true }), [pod('b', '10.0.0.2', { ready: false }), pod('c', '10.0.0.3', { deleting: true })])!;
    expect(g.endpoints.every((e) => e.conditions.ready)).toBe(true);
  });

  test('pods resolving a named port differently land in slices of their own', () => {
    const groups = computeEndpointGroups(svc(), [pod('a', '10.0.0.1'), pod('b', '10.0.0.2', { port: 9090 })])!;
    const plan = planEndpointSlices(svc(), groups, [], MANAGED_BY_CONTROLLER);
    expect(plan.create.map((s) => [(s.ports as { port: number }[])[0].port, (s.endpoints as { addresses: string[] }[]).map((e) => e.addresses[0])])).toEqual([[8080, ['10.0.0.1']], [9090, ['10.0.0.2']]]);
  });
});

describe('EndpointSlice planning', () => {
  const pods = (count: number, from = 0) => Array.from({ length: count }, (_, i) => pod(`p${i + from}`, `10.0.${Math.floor((i + from) / 250)}.${((i + from) % 250) + 1}`));

  test('at most 100 endpoints per slice, labelled and owned as Kubernetes does', () => {
    const plan = planEndpointSlices(svc(), computeEndpointGroups(svc(), pods(250))!, [], MANAGED_BY_CONTROLLER);
    expect(plan.create.map((s) => (s.endpoints as unknown[]).length)).toEqual([MAX_ENDPOINTS_PER_SLICE, MAX_ENDPOINTS_PER_SLICE, 50]);
    expect(plan.create[0]).toMatchObject({
      apiVersion: 'discovery.k8s.io/v1',
      addressType: 'IPv4',
      metadata: {
        generateName: 'web-',
        labels: { [SERVICE_NAME_LABEL]: 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
        ownerReferences: [{ kind: 'Service', name: 'web', uid: 'svc-uid', controller: true }],
      },
    });
  });

  test('an endpoint stays in its slice; a new one fills a slice with room; nothing else is rewritten', () => {
    const s = svc();
    const first = planEndpointSlices(s, computeEndpointGroups(s, pods(150))!, [], MANAGED_BY_CONTROLLER).create.map(stored);
    // p3 leaves, p150 comes: only the slice holding p3 changes (it had room once p3 left).
    const next = [...pods(150).filter((p) => p.metadata.name !== 'p3'), ...pods(1, 150)];
    const plan = planEndpointSlices(s, computeEndpointGroups(s, next)!, first, MANAGED_BY_CONTROLLER);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
    expect(plan.update.map((u) => u.metadata.name)).toEqual([first[0].metadata.name]);
    expect((plan.update[0].endpoints as { targetRef: { name: string } }[]).map((e) => e.targetRef.name)).toContain('p150');
    // Unchanged: no writes at all.
    expect(planEndpointSlices(s, computeEndpointGroups(s, pods(150))!, first, MANAGED_BY_CONTROLLER)).toEqual({ create: [], update: [], remove: [] });
  });

  test('a condition change rewrites the slice holding that endpoint; an emptied slice is deleted; no endpoints leaves one empty placeholder slice', () => {
    const s = svc();
    const first = planEndpointSlices(s, computeEndpointGroups(s, pods(150))!, [], MANAGED_BY_CONTROLLER).create.map(stored);
    const terminating = pods(150).map((p) => (p.metadata.name === 'p120' ? { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } } : p));
    const plan = planEndpointSlices(s, computeEndpointGroups(s, terminating)!, first, MANAGED_BY_CONTROLLER);
    expect(plan.update.map((u) => u.metadata.name)).toEqual([first[1].metadata.name]);
    const emptied = planEndpointSlices(s, computeEndpointGroups(s, pods(100))!, first, MANAGED_BY_CONTROLLER);
    expect(emptied).toEqual({ create: [], update: [], remove: [first[1]] });
    const none = planEndpointSlices(s, computeEndpointGroups(s, [])!, first, MANAGED_BY_CONTROLLER);
    // Kubernetes' placeholder: one slice without ports or endpoints replaces the others.
    expect(none.create.map((c) => [c.ports, c.endpoints])).toEqual([[[], []]]);
    expect(none.remove).toEqual(first);
    const placeholder = none.create.map(stored);
    expect(planEndpointSlices(s, computeEndpointGroups(s, [])!, placeholder, MANAGED_BY_CONTROLLER)).toEqual({ create: [], update: [], remove: [] });
    expect(planEndpointSlices(s, [], [], MANAGED_BY_CONTROLLER).create.map((c) => c.endpoints)).toEqual([[]]);
  });

  test('a Service without a selector: its Endpoints are mirrored, not-ready addresses not ready', () => {
    expect(computeEndpointGroups(svc({ selector: null }), [pod('a', '10.0.0.1')])).toBeUndefined();
    const groups = mirrorEndpointGroups({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], notReadyAddresses: [{ ip: '192.0.2.2' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }] });
    expect(groups).toEqual([{ ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints: [
      { addresses: ['192.0.2.1'], conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['192.0.2.2'], conditions: { ready: false, serving: false, terminating: false } },
    ] }]);
  });
});
