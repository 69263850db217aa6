import type { KubeObject } from '@skiff/api';
import { computeDrainState, drainLimitMs, PROXY_PROGRAMMED_ANNOTATION } from './drain.ts';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'web-1', uid: 'u1' } } as KubeObject;

const slice = (name: string, rv: number, endpoints: { uid: string; ready: boolean }[], namespace = 'default') =>
  ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, resourceVersion: String(rv) },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: ['10.244.1.5'], conditions: { ready: e.ready, serving: true, terminating: !e.ready }, targetRef: { kind: 'Pod', namespace, name: 'x', uid: e.uid } })),
  }) as KubeObject;

const node = (name: string, programmed?: number, ready = true) =>
  ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, ...(programmed !== undefined ? { annotations: { [PROXY_PROGRAMMED_ANNOTATION]: String(programmed) } } : {}) },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  }) as KubeObject;

describe('computeDrainState', () => {
  test('a pod in no EndpointSlice (of its namespace) holds nothing', () => {
    expect(computeDrainState(pod, [slice('other', 5, [{ uid: 'u2', ready: true }]), slice('elsewhere', 6, [{ uid: 'u1', ready: true }], 'kube-system')], [node('n1', 1)])).toEqual({ phase: 'none' });
  });

  test('waits while any slice still lists the pod ready', () => {
    const s = [slice('a', 10, [{ uid: 'u1', ready: false }]), slice('b', 11, [{ uid: 'u1', ready: true }, { uid: 'u2', ready: true }])];
    expect(computeDrainState(pod, s, [node('n1', 20)])).toEqual({ phase: 'endpoints', slices: ['b'] });
  });

  test('then waits for every Ready node whose proxy has not programmed the newest of those slices', () => {
    const s = [slice('a', 10, [{ uid: 'u1', ready: false }]), slice('b', 12, [{ uid: 'u1', ready: false }])];
    const nodes = [node('n1', 12), node('n2', 11), node('n3', 9, false), node('no-proxy')];
    expect(computeDrainState(pod, s, nodes)).toEqual({ phase: 'proxies', resourceVersion: 12, behind: ['n2'] });
    expect(computeDrainState(pod, s, [node('n1', 12), node('n2', 30), node('no-proxy')])).toEqual({ phase: 'drained', resourceVersion: 12, proxies: 2 });
  });
});

test('the wait is bounded by half the grace period and by DRAIN_LIMIT_MS', () => {
  expect(drainLimitMs(0)).toBe(0);
  expect(drainLimitMs(1)).toBe(500);
  expect(drainLimitMs(30)).toBe(10_000);
});
