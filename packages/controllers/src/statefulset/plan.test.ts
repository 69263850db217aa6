import type { KubeObject } from '@skiff/api';
import { computeControllerRevision } from '../history/revision.ts';
import { computeStatefulPod, planStatefulSet } from './plan.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const T = '2025-12-31T00:00:00Z';

function sts(o: { replicas?: number; policy?: string; partition?: number; image?: string; retention?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'su', generation: 1 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'web',
      podManagementPolicy: o.policy ?? 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      persistentVolumeClaimRetentionPolicy: o.retention ?? { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: o.image ?? 'i:1' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
    },
  };
}
const rev1 = computeControllerRevision(sts(), 1);
const rev2 = computeControllerRevision(sts({ image: 'i:2' }), 2);

function running(set: KubeObject, ord: number, rev = rev1, o: { ready?: boolean; terminating?: boolean } = {}): KubeObject {
  const p = computeStatefulPod(set, rev, ord);
  p.metadata.uid = `pu-${ord}-${rev.metadata.name}`;
  if (o.terminating) p.metadata.deletionTimestamp = T;
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: T }] };
  return p;
}
const plan = (set: KubeObject, pods: KubeObject[], update = rev1, current = rev1) => planStatefulSet({ sts: set, pods, claims: new Map(), currentRevision: current, updateRevision: update, now });
const names = (ps: KubeObject[]) => ps.map((p) => p.metadata.name);

test('the pod of an ordinal: stable name, hostname and subdomain, its claim, identity labels', () => {
  const p = computeStatefulPod(sts(), rev1, 2);
  expect(p.metadata.name).toBe('web-2');
  expect(p.spec).toMatchObject({ hostname: 'web-2', subdomain: 'web', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } }] });
  expect(p.metadata.labels).toEqual({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2', 'controller-revision-hash': rev1.metadata.name });
});

test('OrderedReady creates one at a time, only once the lower ordinals are ready; Parallel all at once', () => {
  const set = sts();
  expect(names(plan(set, []).createPods)).toEqual(['web-0']);
  expect(names(plan(set, []).createClaims)).toEqual(['data-web-0']);
  expect(plan(set, [running(set, 0, rev1, { ready: false })]).createPods).toEqual([]);
  expect(names(plan(set, [running(set, 0)]).createPods)).toEqual(['web-1']);
  expect(names(plan(sts({ policy: 'Parallel' }), []).createPods)).toEqual(['web-0', 'web-1', 'web-2']);
  // A terminating pod of an ordinal blocks its successor: never two at once.
  expect(plan(set, [running(set, 0, rev1, { terminating: true })]).createPods).toEqual([]);
});

test('scale-down deletes the highest ordinal first, one at a time, and waits for it', () => {
  const set = sts({ replicas: 1 });
  const pods = [0, 1, 2].map((i) => running(set, i));
  expect(names(plan(set, pods).deletePods)).toEqual(['web-2']);
  expect(plan(set, [pods[0], pods[1], running(set, 2, rev1, { terminating: true })]).deletePods).toEqual([]);
});

test('rolling update: highest ordinal first, down to the partition, one at a time; status follows the revisions', () => {
  const set = sts({ partition: 1, image: 'i:2' });
  const pods = [0, 1, 2].map((i) => running(set, i, rev1));
  const p = plan(set, pods, rev2, rev1);
  expect(names(p.deletePods)).toEqual(['web-2']);
  const after = [running(set, 0, rev1), running(set, 1, rev1), running(set, 2, rev2)];
  expect(names(plan(set, after, rev2, rev1).deletePods)).toEqual(['web-1']);
  const done = plan(set, [running(set, 0, rev1), running(set, 1, rev2), running(set, 2, rev2)], rev2, rev1);
  expect(done.deletePods).toEqual([]);
  expect(done.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 1, updatedReplicas: 2, currentRevision: rev1.metadata.name, updateRevision: rev2.metadata.name });
  // A missing ordinal below the partition comes back at the current revision.
  expect(plan(set, [running(set, 1, rev2), running(set, 2, rev2)], rev2, rev1).createPods[0].metadata.labels?.['controller-revision-hash']).toBe(rev1.metadata.name);
  const all = plan(sts({ image: 'i:2' }), [0, 1, 2].map((i) => running(set, i, rev2)), rev2, rev1);
  expect(all.status).toMatchObject({ currentRevision: rev2.metadata.name, currentReplicas: 3 });
});

test('retention: whenDeleted Delete owns every claim by the set, whenScaled Delete a condemned claim by its pod', () => {
  const set = sts({ replicas: 1, retention: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
  set.metadata.uid = 'su';
  const pods = [running(set, 0), running(set, 1)];
  const claims = new Map(['data-web-0', 'data-web-1'].map((n) => [n, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: n, namespace: 'default' } } as KubeObject]));
  const p = planStatefulSet({ sts: set, pods, claims, currentRevision: rev1, updateRevision: rev1, now });
  const owners = Object.fromEntries(p.claimOwners.map((c) => [c.claim.metadata.name, c.ownerReferences.map((r) => `${r.kind}/${r.name}`)]));
  expect(owners).toEqual({ 'data-web-0': ['StatefulSet/web'], 'data-web-1': ['Pod/web-1'] });
});

test('maxUnavailable (MaxUnavailableStatefulSet): several out-of-date pods at once, highest first, the unavailable ones counted', () => {
  const set = sts({ replicas: 5, policy: 'Parallel', image: 'i:2' });
  set.spec.updateStrategy.rollingUpdate.maxUnavailable = 2;
  const pods = [0, 1, 2, 3, 4].map((o) => running(set, o, rev1));
  expect(names(plan(set, pods, rev2).deletePods)).toEqual(['web-4', 'web-3']);
  // One pod already unavailable: one more may go.
  const oneDown = pods.map((p, o) => (o === 0 ? running(set, 0, rev1, { ready: false }) : p));
  expect(names(plan(set, oneDown, rev2).deletePods)).toEqual(['web-4']);
  // A percentage rounds up: 30% of 5 is 2.
  set.spec.updateStrategy.rollingUpdate.maxUnavailable = '30%';
  expect(names(plan(set, pods, rev2).deletePods)).toEqual(['web-4', 'web-3']);
  // The partition still holds: ordinals below it stay.
  set.spec.updateStrategy.rollingUpdate = { partition: 4, maxUnavailable: 3 };
  expect(names(plan(set, pods, rev2).deletePods)).toEqual(['web-4']);
});
