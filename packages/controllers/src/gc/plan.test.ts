import type { KubeObject } from '@skiff/api';
import { computeDependentActions, computeOwnerActions, type OwnerState } from './plan.ts';

const obj = (name: string, o: { owners?: string[]; block?: boolean; deleting?: boolean; finalizers?: string[] } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    uid: name,
    ownerReferences: (o.owners ?? []).map((u) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: u, uid: u, blockOwnerDeletion: o.block ?? true })),
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    ...(o.finalizers ? { finalizers: o.finalizers } : {}),
  },
});
const none = () => false;

test('background: a dependent whose owners are all gone is deleted', () => {
  const state = (): OwnerState => 'absent';
  expect(computeDependentActions(obj('p', { owners: ['rs'] }), state, none)).toEqual([{ kind: 'delete', object: expect.anything(), propagationPolicy: 'Background' }]);
  // Even when it owns things: they are collected in turn.
  expect(computeDependentActions(obj('p', { owners: ['rs'] }), state, () => true)[0]).toMatchObject({ propagationPolicy: 'Background' });
  // An owner deleting in the foreground waits: a dependent that owns things cascades in the foreground.
  expect(computeDependentActions(obj('p', { owners: ['rs'] }), () => 'deletingForeground', () => true)[0]).toMatchObject({ propagationPolicy: 'Foreground' });
});

test('a dangling reference next to a live owner is removed, the object kept', () => {
  const state = (r: { uid: string }): OwnerState => (r.uid === 'a' ? 'absent' : 'present');
  expect(computeDependentActions(obj('p', { owners: ['a', 'b'] }), state, none)).toEqual([{ kind: 'removeOwnerReferences', object: expect.anything(), uids: ['a'] }]);
  expect(computeDependentActions(obj('p', { owners: ['b'] }), state, none)).toEqual([]);
  expect(computeDependentActions(obj('p'), state, none)).toEqual([]);
});

test('foreground: dependents deleted, finalizer dropped only when no blocking dependent remains', () => {
  const owner = obj('rs', { deleting: true, finalizers: ['foregroundDeletion'] });
  const a = computeOwnerActions(owner, [obj('p1', { owners: ['rs'] }), obj('p2', { owners: ['rs'], deleting: true })], none);
  expect(a.map((x) => x.kind)).toEqual(['delete']);
  const b = computeOwnerActions(owner, [obj('p3', { owners: ['rs'], block: false })], none);
  expect(b.map((x) => x.kind)).toEqual(['delete', 'removeFinalizer']);
  expect(computeOwnerActions(owner, [], none)).toEqual([{ kind: 'removeFinalizer', object: owner, finalizer: 'foregroundDeletion' }]);
});

test('orphan: references removed, then the finalizer', () => {
  const owner = obj('rs', { deleting: true, finalizers: ['orphan'] });
  const a = computeOwnerActions(owner, [obj('p1', { owners: ['rs'] })], none);
  expect(a.map((x) => x.kind)).toEqual(['removeOwnerReferences', 'removeFinalizer']);
  expect(computeOwnerActions(obj('rs'), [obj('p1', { owners: ['rs'] })], none)).toEqual([]);
});
