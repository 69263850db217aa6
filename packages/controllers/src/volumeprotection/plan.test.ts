import type { KubeObject } from '@skiff/api';
import { claimsOf, finalizerPatch, planClaimProtection, planVolumeProtection, podUsesClaim } from './plan.ts';

const PVC = 'kubernetes.io/pvc-protection';
const PV = 'kubernetes.io/pv-protection';
const deleted = { deletionTimestamp: '2026-01-01T00:00:00Z' };
const claim = (meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ns', resourceVersion: '7', ...meta } });
const pod = (claimName: string, nodeName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns' },
  spec: { nodeName, containers: [], volumes: [{ name: 'e', emptyDir: {} }, { name: 'v', persistentVolumeClaim: { claimName } }] },
});
const volume = (phase: string, meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv', resourceVersion: '3', ...meta }, status: { phase } });

test('a claim without the finalizer gets it; one that has it and is not deleted is left alone', () => {
  expect(planClaimProtection(claim(), [])).toEqual({ type: 'add-finalizer' });
  expect(planClaimProtection(claim({ finalizers: [PVC] }), [])).toEqual({ type: 'none' });
});

test('a deleted claim keeps its finalizer while a scheduled pod names it', () => {
  const c = claim({ ...deleted, finalizers: [PVC] });
  expect(planClaimProtection(c, [pod('data', 'n1')])).toEqual({ type: 'none' });
  // Unscheduled pods (the scheduler refuses a deleted claim) and pods of other claims do not hold it.
  expect(planClaimProtection(c, [pod('data'), pod('other', 'n1')])).toEqual({ type: 'remove-finalizer' });
  // Nor is a deleted claim without the finalizer given one back.
  expect(planClaimProtection(claim(deleted), [])).toEqual({ type: 'none' });
});

test('podUsesClaim and claimsOf read the persistentVolumeClaim volumes', () => {
  expect(podUsesClaim(pod('data', 'n1'), 'data')).toBe(true);
  expect(podUsesClaim(pod('data', 'n1'), 'other')).toBe(false);
  expect(claimsOf(pod('data'))).toEqual(['data']);
});

test('a deleted volume keeps its finalizer while Bound', () => {
  expect(planVolumeProtection(volume('Available'))).toEqual({ type: 'add-finalizer' });
  expect(planVolumeProtection(volume('Bound', { ...deleted, finalizers: [PV] }))).toEqual({ type: 'none' });
  expect(planVolumeProtection(volume('Released', { ...deleted, finalizers: [PV] }))).toEqual({ type: 'remove-finalizer' });
});

test('finalizer patches keep the other finalizers and carry the resourceVersion', () => {
  expect(finalizerPatch(claim({ finalizers: ['a'] }), PVC, 'add-finalizer')).toEqual({ metadata: { finalizers: ['a', PVC], resourceVersion: '7' } });
  expect(finalizerPatch(claim({ finalizers: ['a', PVC] }), PVC, 'remove-finalizer')).toEqual({ metadata: { finalizers: ['a'], resourceVersion: '7' } });
  expect(finalizerPatch(claim({ finalizers: [PVC] }), PVC, 'remove-finalizer')).toEqual({ metadata: { finalizers: null, resourceVersion: '7' } });
});
