import { formatQuantity } from '../quantity.ts';
import { generateName, NAME_ALPHABET } from './names.ts';
import { getControllerOf, isControlledBy, newControllerRef } from './owners.ts';
import { getPodQOSClass, isPodAvailable, isPodReady, podResourceRequests } from './pods.ts';

describe('owners', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', uid: 'u1' } };
  it('finds the controller and compares by uid', () => {
    const pod = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u0' }, newControllerRef(owner)] } };
    expect(getControllerOf(pod)?.uid).toBe('u1');
    expect(isControlledBy(pod, owner)).toBe(true);
    expect(isControlledBy(pod, { metadata: { uid: 'other' } })).toBe(false);
    expect(isControlledBy({ metadata: {} }, owner)).toBe(false);
    expect(newControllerRef(owner)).toEqual({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: true });
  });
});

describe('generateName', () => {
  it('appends 5 characters from the Kubernetes alphabet', () => {
    const n = generateName('web-');
    expect(n).toMatch(new RegExp(`^web-[${NAME_ALPHABET}]{5}$`));
    expect(generateName('a'.repeat(70)).length).toBe(63);
    expect(generateName('p-', () => 0)).toBe('p-bbbbb');
    expect(generateName('p-', () => 0.9999)).toBe('p-99999');
  });
});

describe('pods', () => {
  const ready = (t?: string) => ({ status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } });
  it('reads readiness and availability', () => {
    expect(isPodReady(ready())).toBe(true);
    expect(isPodReady({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })).toBe(false);
    expect(isPodReady({})).toBe(false);
    const p = ready('2024-01-01T00:00:00Z');
    expect(isPodAvailable(p, 10, Date.parse('2024-01-01T00:00:09Z'))).toBe(false);
    expect(isPodAvailable(p, 10, Date.parse('2024-01-01T00:00:10Z'))).toBe(true);
    expect(isPodAvailable(p, 0)).toBe(true);
  });

  it('sums requests, taking the largest init container', () => {
    const pod = {
      spec: {
        containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' } } }, { resources: { requests: { cpu: '200m' } } }],
        initContainers: [{ resources: { requests: { cpu: '1', memory: '32Mi' } } }],
      },
    };
    const r = podResourceRequests(pod);
    expect(formatQuantity(r.cpu)).toBe('1');
    expect(formatQuantity(r.memory)).toBe('64Mi');
    const sidecar = {
      spec: {
        containers: [{ resources: { requests: { cpu: '100m' } } }],
        initContainers: [{ restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }, { resources: { requests: { cpu: '100m' } } }],
      },
    };
    expect(formatQuantity(podResourceRequests(sidecar).cpu)).toBe('150m');
  });

  it('classifies QoS', () => {
    const c = (resources: object) => ({ spec: { containers: [{ resources }] } });
    expect(getPodQOSClass(c({}))).toBe('BestEffort');
    expect(getPodQOSClass(c({ requests: { cpu: '1' } }))).toBe('Burstable');
    expect(getPodQOSClass(c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(getPodQOSClass(c({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }))).toBe('Burstable');
    expect(getPodQOSClass(c({ limits: { cpu: '1' }, requests: { cpu: '1' } }))).toBe('Burstable');
  });
});

import { formatMicroTime, formatTime, parseTime } from './time.ts';
import { applyPodAdmissionDefaults } from '../defaults/admission.ts';
import type { KubeObject } from '../object.ts';

const kube = (o: KubeObject): KubeObject => o;

describe('time', () => {
  it('formats Time and MicroTime like Kubernetes', () => {
    const d = Date.UTC(2024, 0, 2, 15, 4, 5, 123);
    expect(formatTime(d)).toBe('2024-01-02T15:04:05Z');
    expect(formatMicroTime(d)).toBe('2024-01-02T15:04:05.123000Z');
    expect(parseTime('2024-01-02T15:04:05.123000Z')).toBe(d);
    expect(Number.isNaN(parseTime(undefined))).toBe(true);
    expect(parseTime('2024-01-02T15:04:05.123456Z')).toBe(d);
    expect(parseTime('2024-01-02T15:04:05Z')).toBe(d - 123);
    expect(parseTime('2024-01-02T16:04:05.5+01:00')).toBe(d - 123 + 500);
    expect(parseTime('yesterday')).toBeNaN();
  });

  it('formatTime: each second its own text, whether asked once or many times, as a Date or a number', () => {
    const d = Date.UTC(2024, 0, 2, 15, 4, 5, 999);
    expect([formatTime(d), formatTime(d - 999), formatTime(new Date(d)), formatTime(d + 1), formatTime(d), formatTime(d - 1000)]).toEqual([
      '2024-01-02T15:04:05Z',
      '2024-01-02T15:04:05Z',
      '2024-01-02T15:04:05Z',
      '2024-01-02T15:04:06Z',
      '2024-01-02T15:04:05Z',
      '2024-01-02T15:04:04Z',
    ]);
    expect(() => formatTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('pod admission defaults', () => {
  it('adds priority 0 and the two default tolerations', () => {
    const out = applyPodAdmissionDefaults(kube({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } }));
    expect(out.spec.priority).toBe(0);
    expect(out.spec.preemptionPolicy).toBe('PreemptLowerPriority');
    expect(out.spec.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });
  it('keeps tolerations the pod already has', () => {
    const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
    const out = applyPodAdmissionDefaults(kube({ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { priorityClassName: 'high', tolerations: [own] } }));
    expect(out.spec.priority).toBeUndefined();
    expect(out.spec.tolerations).toHaveLength(2);
    expect(out.spec.tolerations[0]).toEqual(own);
  });
});
