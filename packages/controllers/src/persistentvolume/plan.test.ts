import type { KubeObject } from '@skiff/api';
import { findMatchingVolume, planClaim, planVolume } from './plan.ts';

const claim = (extra: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ns', uid: 'c1' }, spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra }, status }) as KubeObject;
const pv = (name: string, spec: Record<string, unknown> = {}, phase?: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { storageClassName: 'manual', accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], capacity: { storage: '5Gi' }, ...spec }, status: phase ? { phase } : undefined }) as KubeObject;
const ref = { namespace: 'ns', name: 'data', uid: 'c1' };

test('a claim takes the volume pre-bound to it (a provisioner made it), then becomes Bound with its capacity', () => {
  expect(planClaim(claim(), [pv('pvc-c1', { claimRef: ref })], 'WaitForFirstConsumer')).toEqual({ type: 'set-volume-name', volumeName: 'pvc-c1' });
  const bound = pv('pvc-c1', { claimRef: ref });
  expect(planClaim(claim({ volumeName: 'pvc-c1' }), [bound], undefined)).toEqual({ type: 'claim-status', phase: 'Bound', volume: bound });
  expect(planClaim(claim({ volumeName: 'pvc-c1' }, { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] }), [bound], undefined)).toEqual({ type: 'none' });
});

test('Immediate classes bind the smallest fitting Available volume; WaitForFirstConsumer waits, Pending', () => {
  const small = pv('small', { capacity: { storage: '512Mi' } });
  const fits = pv('fits', { capacity: { storage: '2Gi' } });
  const big = pv('big', { capacity: { storage: '10Gi' } });
  const other = pv('other', { storageClassName: 'fast' });
  const taken = pv('taken', { claimRef: { namespace: 'ns', name: 'x', uid: 'u' } });
  expect(findMatchingVolume(claim(), [big, small, other, taken, fits])).toBe(fits);
  expect(planClaim(claim(), [big, fits], 'Immediate')).toEqual({ type: 'claim-volume', volume: fits });
  expect(planClaim(claim(), [big, fits], 'WaitForFirstConsumer')).toEqual({ type: 'claim-status', phase: 'Pending' });
  expect(planClaim(claim({ accessModes: ['ReadWriteMany'] }), [big], 'Immediate')).toEqual({ type: 'claim-status', phase: 'Pending' });
});

test('a bound claim whose volume is gone, or bound elsewhere, is Lost', () => {
  expect(planClaim(claim({ volumeName: 'gone' }, { phase: 'Bound' }), [], undefined)).toEqual({ type: 'claim-status', phase: 'Lost' });
  expect(planClaim(claim({ volumeName: 'v' }, { phase: 'Bound' }), [pv('v', { claimRef: { namespace: 'ns', name: 'other', uid: 'o' } })], undefined)).toEqual({ type: 'claim-status', phase: 'Lost' });
});

test('volume phases: Available, Bound, then Released when its claim goes (never reused)', () => {
  expect(planVolume(pv('v'), undefined)).toEqual({ type: 'volume-status', phase: 'Available' });
  expect(planVolume(pv('v', { claimRef: ref }), claim({ volumeName: 'v' }))).toEqual({ type: 'volume-status', phase: 'Bound' });
  expect(planVolume(pv('v', { claimRef: ref }, 'Bound'), undefined)).toEqual({ type: 'volume-status', phase: 'Released' });
  // A new claim of the same name (another uid) does not get the released volume.
  expect(planVolume(pv('v', { claimRef: ref }, 'Bound'), { ...claim(), metadata: { name: 'data', namespace: 'ns', uid: 'c2' } } as KubeObject)).toEqual({ type: 'volume-status', phase: 'Released' });
  expect(planVolume(pv('v', { claimRef: ref }, 'Released'), claim())).toEqual({ type: 'none' });
});
