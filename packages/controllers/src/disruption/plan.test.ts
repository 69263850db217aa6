import type { KubeObject } from '@skiff/api';
import { computeDisruptedPods, computeExpectedCounts, planBudgetStatus, planFailSafeStatus } from './plan.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const pdb = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'b', namespace: 'default', generation: 3 },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  status,
});
const owner = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true }];
function pod(name: string, o: { ready?: boolean; owner?: string; terminating?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' }, ...(o.owner ? { ownerReferences: owner(o.owner) } : {}), ...(o.terminating ? { deletionTimestamp: '2026-01-01T11:59:00Z' } : {}) },
    spec: {},
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}
const scales: Record<string, number> = { a: 4, b: 2 };
const scaleOf = (ref: { uid: string }) => (scales[ref.uid] === undefined ? undefined : { uid: ref.uid, scale: scales[ref.uid] });

test('minAvailable as an integer counts the pods found, without controllers', () => {
  const pods = [pod('1'), pod('2'), pod('3', { ready: false })];
  const plan = planBudgetStatus({ pdb: pdb({ minAvailable: 1 }), pods, scaleOf, now: NOW });
  expect(plan).toMatchObject({ ok: true, status: { currentHealthy: 2, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 3 } });
  expect(plan.ok && plan.status.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 3, lastTransitionTime: '2026-01-01T12:00:00Z' }]);
});

test('percentages and maxUnavailable are taken of the controllers\' scale, rounding up', () => {
  const pods = [pod('1', { owner: 'a' }), pod('2', { owner: 'a' }), pod('3', { owner: 'b' })];
  expect(computeExpectedCounts(pdb({ minAvailable: '50%' }), pods, scaleOf)).toEqual({ ok: true, expectedCount: 6, desiredHealthy: 3, unmanagedPods: [] });
  expect(computeExpectedCounts(pdb({ maxUnavailable: '30%' }), pods, scaleOf)).toEqual({ ok: true, expectedCount: 6, desiredHealthy: 4, unmanagedPods: [] });
  expect(computeExpectedCounts(pdb({ maxUnavailable: 10 }), pods, scaleOf)).toMatchObject({ desiredHealthy: 0 });
  // Pods without a controller are reported, not counted; a controller that cannot be found fails the sync.
  expect(computeExpectedCounts(pdb({ maxUnavailable: 1 }), [...pods, pod('bare')], scaleOf)).toMatchObject({ ok: true, expectedCount: 6, unmanagedPods: ['bare'] });
  expect(computeExpectedCounts(pdb({ maxUnavailable: 1 }), [pod('x', { owner: 'gone' })], scaleOf)).toEqual({ ok: false, error: 'found no controllers for pod "x"' });
});

test('no disruption while no pod is expected, or while healthy pods do not exceed the desired count', () => {
  expect(planBudgetStatus({ pdb: pdb({ minAvailable: 0 }), pods: [], scaleOf, now: NOW })).toMatchObject({ status: { disruptionsAllowed: 0, expectedPods: 0 } });
  const plan = planBudgetStatus({ pdb: pdb({ minAvailable: 2 }), pods: [pod('1'), pod('2', { terminating: true })], scaleOf, now: NOW });
  expect(plan).toMatchObject({ status: { currentHealthy: 1, disruptionsAllowed: 0, conditions: [{ status: 'False', reason: 'InsufficientPods' }] } });
});

test('pods in disruptedPods do not count as healthy until their entry expires; entries of terminating pods are dropped', () => {
  const recent = '2026-01-01T11:59:30Z';
  const old = '2026-01-01T11:50:00Z';
  const b = pdb({ minAvailable: 1 }, { disruptedPods: { '1': recent, '2': old, '3': recent } });
  const pods = [pod('1'), pod('2'), pod('3', { terminating: true }), pod('4')];
  expect(computeDisruptedPods(b, pods, NOW)).toEqual({ disruptedPods: { '1': recent }, recheckAtMs: Date.parse(recent) + 120_000, expired: ['2'] });
  expect(planBudgetStatus({ pdb: b, pods, scaleOf, now: NOW })).toMatchObject({ status: { currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: { '1': recent } }, recheckAtMs: Date.parse(recent) + 120_000 });
});

test('a failed sync allows nothing and says why', () => {
  const s = planFailSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, observedGeneration: 3 }), 'found no controllers for pod "x"', NOW);
  expect(s).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 3, conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "x"' }] });
});
