import type { KubeObject } from '@skiff/api';
import { ORPHAN_GRACE_MS, planNodePassword } from './plan.ts';

const now = Date.parse('2026-01-01T12:00:00Z');
const secret = (o: { owner?: string; ageMs?: number; deleting?: boolean; otherOwner?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'n1.node-password.skiff',
    namespace: 'kube-system',
    uid: 's-uid',
    creationTimestamp: new Date(now - (o.ageMs ?? 1000)).toISOString(),
    ...(o.deleting ? { deletionTimestamp: new Date(now).toISOString() } : {}),
    ownerReferences: [
      ...(o.otherOwner ? [{ apiVersion: 'example.com/v1', kind: 'Thing', name: 't', uid: 't-uid' }] : []),
      ...(o.owner ? [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: o.owner }] : []),
    ],
  },
});
const node = (uid: string, deleting = false): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid, ...(deleting ? { deletionTimestamp: 'x' } : {}) } });

test('a node password is tied to its Node by an ownerReference, keeping other owners', () => {
  expect(planNodePassword(secret(), node('n-uid'), now)).toEqual({ tie: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n-uid' }] });
  expect(planNodePassword(secret({ otherOwner: true }), node('n-uid'), now)).toEqual({ tie: [expect.objectContaining({ kind: 'Thing' }), expect.objectContaining({ kind: 'Node', uid: 'n-uid' })] });
  expect(planNodePassword(secret({ owner: 'n-uid' }), node('n-uid'), now)).toBeUndefined();
});

test('it goes with its Node: deleted, or replaced by another Node of the name', () => {
  expect(planNodePassword(secret({ owner: 'n-uid' }), undefined, now)).toEqual({ delete: 'its Node n1 was deleted' });
  expect(planNodePassword(secret({ owner: 'old-uid' }), node('new-uid'), now)).toEqual({ delete: 'its Node n1 (uid old-uid) was replaced by another' });
});

test('one never tied to a Node waits for the join to finish, then goes (orphaned)', () => {
  expect(planNodePassword(secret({ ageMs: 1000 }), undefined, now)).toEqual({ requeueAfterMs: ORPHAN_GRACE_MS - 1000 });
  expect(planNodePassword(secret({ ageMs: ORPHAN_GRACE_MS }), undefined, now)).toEqual({ delete: 'no Node registered under its name within 60 min of the join' });
  expect(planNodePassword(secret({ ageMs: 5000 }), undefined, now, 2000)).toMatchObject({ delete: expect.any(String) });
});

test('nothing to do for no Secret, one being deleted, or a Node on its way out', () => {
  expect(planNodePassword(undefined, node('n-uid'), now)).toBeUndefined();
  expect(planNodePassword(secret({ deleting: true, owner: 'x' }), undefined, now)).toBeUndefined();
  expect(planNodePassword(secret(), node('n-uid', true), now)).toBeUndefined();
});
