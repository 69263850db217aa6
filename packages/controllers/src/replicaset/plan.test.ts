import fc from 'fast-check';
import type { KubeObject } from '@skiff/api';
import { computeReplicaSetStatus, computeSlowStartBatches, decideClaim, diffReplicaSet, slowStartBatch, computePodFromTemplate } from './plan.ts';
import { comparePodsForDeletion, rankPodsForDeletion } from './rank.ts';
import { Expectations } from './expectations.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; restarts?: number; cost?: number } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      uid: `uid-${name}`,
      namespace: 'default',
      creationTimestamp: ago(o.created ?? 1000),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readySince ?? 500) }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('rankPodsForDeletion', () => {
  const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name);

  test('unscheduled before scheduled', () => {
    expect(names(rankPodsForDeletion([pod('a', { node: 'n1' }), pod('b')], [], NOW))).toEqual(['b', 'a']);
  });
  test('pending before unknown before running', () => {
    const ps = [pod('r', { node: 'n', phase: 'Running' }), pod('u', { node: 'n', phase: 'Unknown' }), pod('p', { node: 'n', phase: 'Pending' })];
    expect(names(rankPodsForDeletion(ps, [], NOW))).toEqual(['p', 'u', 'r']);
  });
  test('not ready before ready', () => {
    expect(names(rankPodsForDeletion([pod('r', { node: 'n' }), pod('nr', { node: 'n', ready: false })], [], NOW))).toEqual(['nr', 'r']);
  });
  test('lower deletion cost first', () => {
    expect(names(rankPodsForDeletion([pod('hi', { node: 'n', cost: 10 }), pod('lo', { node: 'n', cost: -5 })], [], NOW))).toEqual(['lo', 'hi']);
  });
  test('pods on crowded nodes first', () => {
    const a = pod('a', { node: 'n1' });
    const b = pod('b', { node: 'n2' });
    const c = pod('c', { node: 'n2' });
    expect(names(rankPodsForDeletion([a, b], [a, b, c], NOW))[0]).toBe('b');
  });
  test('ready more recently first, on a logarithmic scale', () => {
    expect(names(rankPodsForDeletion([pod('old', { node: 'n', readySince: 10_000 }), pod('new', { node: 'n', readySince: 10 })], [], NOW))).toEqual(['new', 'old']);
  });
  test('more restarts first', () => {
    expect(names(rankPodsForDeletion([pod('a', { node: 'n', restarts: 0 }), pod('b', { node: 'n', restarts: 3 })], [], NOW))).toEqual(['b', 'a']);
  });
  test('newer before older', () => {
    const older = pod('older', { node: 'n', created: 100_000 });
    const newer = pod('newer', { node: 'n', created: 10 });
    expect(names(rankPodsForDeletion([older, newer], [], NOW))).toEqual(['newer', 'older']);
  });
});

describe('diffReplicaSet', () => {
  test('creates the shortfall, deletes the excess in rank order', () => {
    expect(diffReplicaSet({ desired: 3, pods: [pod('a')], now: NOW })).toEqual({ create: 2, delete: [] });
    const d = diffReplicaSet({ desired: 1, pods: [pod('a', { node: 'n' }), pod('b'), pod('c', { node: 'n', ready: false })], now: NOW });
    expect(d.create).toBe(0);
    expect(d.delete.map((p) => p.metadata.name)).toEqual(['b', 'c']);
  });
  test('property: after applying, exactly desired pods remain (within the burst)', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.nat(40), fc.integer({ min: 1, max: 50 }), (have, desired, burst) => {
        const pods = Array.from({ length: have }, (_, i) => pod(`p${i}`, { node: i % 3 ? `n${i % 4}` : undefined }));
        const d = diffReplicaSet({ desired, pods, now: NOW, burst });
        expect(d.create === 0 || d.delete.length === 0).toBe(true);
        expect(d.create).toBeLessThanOrEqual(burst);
        expect(d.delete.length).toBeLessThanOrEqual(burst);
        expect(new Set(d.delete).size).toBe(d.delete.length);
        if (Math.abs(have - desired) <= burst) expect(have + d.create - d.delete.length).toBe(desired);
      }),
    );
  });
});

describe('slow start', () => {
  test('batches double', () => {
    expect(computeSlowStartBatches(10)).toEqual([1, 2, 4, 3]);
    expect(computeSlowStartBatches(0)).toEqual([]);
  });
  test('property: batches sum to the count and never more than double', () => {
    fc.assert(
      fc.property(fc.nat(2000), (n) => {
        const b = computeSlowStartBatches(n);
        expect(b.reduce((a, x) => a + x, 0)).toBe(n);
        b.forEach((x, i) => expect(x).toBeLessThanOrEqual(2 ** i));
      }),
    );
  });
  test('stops after the first batch with a failure', async () => {
    let calls = 0;
    const r = await slowStartBatch(100, async (i) => {
      calls++;
      if (i === 4) throw new Error('quota');
    });
    expect(calls).toBe(7); // batches 1, 2, 4; the failure is in the third
    expect(r.succeeded).toBe(6);
    expect(r.attempted).toBe(7);
    expect(String(r.error)).toContain('quota');
  });
});

describe('decideClaim', () => {
  const owned = { ...pod('x'), metadata: { ...pod('x').metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'U', controller: true }] } };
  test('adopt, own, release, ignore', () => {
    expect(decideClaim({ ownerUid: 'U', ownerDeleting: false, pod: pod('o'), matches: true })).toBe('adopt');
    expect(decideClaim({ ownerUid: 'U', ownerDeleting: true, pod: pod('o'), matches: true })).toBe('ignore');
    expect(decideClaim({ ownerUid: 'U', ownerDeleting: false, pod: owned, matches: true })).toBe('own');
    expect(decideClaim({ ownerUid: 'U', ownerDeleting: false, pod: owned, matches: false })).toBe('release');
    expect(decideClaim({ ownerUid: 'V', ownerDeleting: false, pod: owned, matches: true })).toBe('ignore');
    expect(decideClaim({ ownerUid: 'U', ownerDeleting: false, pod: pod('o'), matches: false })).toBe('ignore');
  });
});

describe('computeReplicaSetStatus', () => {
  test('counts ready, available after minReadySeconds, fully labeled', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', generation: 4 },
      spec: { minReadySeconds: 60, template: { metadata: { labels: { app: 'a', tier: 't' } } } },
    };
    const a = pod('a', { readySince: 120 });
    a.metadata.labels = { app: 'a', tier: 't' };
    const b = pod('b', { readySince: 10 });
    b.metadata.labels = { app: 'a' };
    const c = pod('c', { ready: false });
    const s = computeReplicaSetStatus({ rs, pods: [a, b, c], now: NOW, failure: { reason: 'FailedCreate', message: 'no' } });
    expect(s).toMatchObject({ replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
    expect(s.conditions?.[0]).toMatchObject({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' });
  });
});

test('computePodFromTemplate sets generateName and a controller reference', () => {
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'U' }, spec: { template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  const p = computePodFromTemplate(rs);
  expect(p.metadata).toMatchObject({ generateName: 'web-', namespace: 'ns', labels: { app: 'w' } });
  expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'U', controller: true, blockOwnerDeletion: true }]);
});

test('Expectations wait for every creation and deletion, or time out', () => {
  let t = 0;
  const e = new Expectations({ timeoutMs: 1000, now: () => t });
  expect(e.satisfied('k')).toBe(true);
  e.expectCreations('k', 2);
  e.creationObserved('k');
  expect(e.satisfied('k')).toBe(false);
  e.creationObserved('k');
  expect(e.satisfied('k')).toBe(true);
  e.expectDeletions('k', ['ns/a']);
  expect(e.satisfied('k')).toBe(false);
  t = 2000;
  expect(e.satisfied('k')).toBe(true);
});

describe('deletion ranking properties', () => {
  const arbPod = fc.record({
    node: fc.constantFrom(undefined, 'n1', 'n2'),
    phase: fc.constantFrom('Pending', 'Unknown', 'Running'),
    ready: fc.boolean(),
    readySince: fc.integer({ min: 1, max: 100_000 }),
    created: fc.integer({ min: 1, max: 100_000 }),
    restarts: fc.nat(3),
    cost: fc.constantFrom(undefined, -1, 0, 5),
  });
  test('the comparison is antisymmetric and the first criteria dominate', () => {
    fc.assert(
      fc.property(arbPod, arbPod, fc.nat(3), fc.nat(3), (a, b, ra, rb) => {
        const pa = pod('a', a);
        const pb = pod('b', b);
        const ab = Math.sign(comparePodsForDeletion(pa, pb, ra, rb, NOW));
        const ba = Math.sign(comparePodsForDeletion(pb, pa, rb, ra, NOW));
        expect(ab).toBe(-ba || 0);
        if (!a.node && b.node) expect(ab).toBe(-1);
        if (Boolean(a.node) === Boolean(b.node) && a.phase === 'Pending' && b.phase === 'Running') expect(ab).toBe(-1);
      }),
    );
  });
  test('property: ranking puts every unscheduled pod before every scheduled one', () => {
    fc.assert(
      fc.property(fc.array(arbPod, { maxLength: 30 }), (specs) => {
        const pods = specs.map((s, i) => pod(`p${i}`, s));
        const ranked = rankPodsForDeletion(pods, pods, NOW);
        const firstScheduled = ranked.findIndex((p) => p.spec?.nodeName);
        if (firstScheduled >= 0) expect(ranked.slice(firstScheduled).every((p) => p.spec?.nodeName)).toBe(true);
      }),
    );
  });
});
