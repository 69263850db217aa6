import type { DaemonSetUpdateStrategy, KubeObject, PodSpec } from '@skiff/api';
import { FailedPodsBackoff } from './backoff.ts';
import { computeDaemonPod, computeNodePlacement, planDaemonSet, targetNodeOf } from './plan.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const T = '2025-12-31T00:00:00Z';

function ds(extra: Partial<PodSpec> = {}, strategy: DaemonSetUpdateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'd', namespace: 'default', uid: 'u1', generation: 1 },
    spec: { selector: { matchLabels: { a: 'b' } }, updateStrategy: strategy, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], ...extra } } },
  };
}
const node = (name: string, o: { labels?: Record<string, string>; taints?: unknown[] } = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints ?? [] } });
let seq = 0;
function pod(nodeName: string, hash: string, o: { ready?: boolean; terminating?: boolean; phase?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p${seq++}`, namespace: 'default', uid: `pu${seq}`, creationTimestamp: T, labels: { 'controller-revision-hash': hash }, ...(o.terminating ? { deletionTimestamp: T } : {}) },
    spec: { nodeName },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: T }] },
  };
}

test('placement: nodeSelector, node affinity, NoSchedule keeps new pods off, NoExecute evicts; the daemon tolerations cover cordoned nodes', () => {
  expect(computeNodePlacement(ds({ nodeSelector: { role: 'w' } }), node('n', { labels: { role: 'x' } }))).toEqual({ shouldRun: false, shouldContinueRunning: false });
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } };
  expect(computeNodePlacement(ds({ affinity }), node('n', { labels: { zone: 'a' } })).shouldRun).toBe(true);
  expect(computeNodePlacement(ds({ affinity }), node('n', { labels: { zone: 'b' } })).shouldRun).toBe(false);
  expect(computeNodePlacement(ds(), node('n', { taints: [{ key: 'k', effect: 'NoSchedule' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: true });
  expect(computeNodePlacement(ds(), node('n', { taints: [{ key: 'k', effect: 'NoExecute' }] }))).toEqual({ shouldRun: false, shouldContinueRunning: false });
  expect(computeNodePlacement(ds(), node('n', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] })).shouldRun).toBe(true);
  expect(computeNodePlacement(ds({ tolerations: [{ key: 'k', operator: 'Exists' }] }), node('n', { taints: [{ key: 'k', effect: 'NoExecute' }] })).shouldRun).toBe(true);
});

test('the daemon pod names its node through node affinity, keeping the template\'s label terms', () => {
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['other'] }] }] } } };
  const p = computeDaemonPod(ds({ affinity }), 'n1', 'h1');
  expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
  ]);
  expect(targetNodeOf(p)).toBe('n1');
  expect(p.spec.nodeName).toBeUndefined();
  expect(p.metadata.labels).toMatchObject({ a: 'b', 'controller-revision-hash': 'h1', 'pod-template-generation': '1' });
  expect(p.spec.tolerations).toHaveLength(6);
});

test('manage: create where missing (not while a pod terminates), delete finished, extra, ineligible and orphaned-node pods', () => {
  const nodes = [node('a'), node('b'), node('c'), node('d', { taints: [{ key: 'k', effect: 'NoExecute' }] })];
  const dup1 = pod('b', 'h');
  const dup2 = { ...pod('b', 'h'), metadata: { ...pod('b', 'h').metadata, creationTimestamp: '2025-12-31T01:00:00Z' } };
  const failed = pod('c', 'h', { phase: 'Failed' });
  const onTainted = pod('d', 'h');
  const gone = pod('zz', 'h');
  const plan = planDaemonSet({ ds: ds(), nodes, pods: [dup1, dup2, failed, onTainted, gone], hash: 'h', now });
  expect(plan.create).toEqual(['a']);
  expect(plan.delete.map((p) => p.metadata.name).sort()).toEqual([dup2, failed, onTainted, gone].map((p) => p.metadata.name).sort());
  expect(plan.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1 });
  expect(planDaemonSet({ ds: ds(), nodes: [node('a')], pods: [pod('a', 'h', { terminating: true })], hash: 'h', now }).create).toEqual([]);
});

test('rolling update with maxUnavailable 1: unavailable old pods go at once, then one available at a time', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n));
  const pods = [pod('a', 'old'), pod('b', 'old'), pod('c', 'old', { ready: false }), pod('d', 'old')];
  const plan = planDaemonSet({ ds: ds(), nodes, pods, hash: 'new', now });
  // c is unavailable already: it uses up the budget of 1.
  expect(plan.delete.map((p) => p.spec.nodeName)).toEqual(['c']);
  const next = planDaemonSet({ ds: ds(), nodes, pods: [pod('a', 'old'), pod('b', 'old'), pod('c', 'new'), pod('d', 'old')], hash: 'new', now });
  expect(next.delete).toHaveLength(1);
  expect(next.status).toMatchObject({ updatedNumberScheduled: 1, numberAvailable: 4 });
  const onDelete = planDaemonSet({ ds: ds({}, { type: 'OnDelete' }), nodes, pods: [pod('a', 'old'), pod('b', 'old'), pod('c', 'old'), pod('d', 'old')], hash: 'new', now });
  expect(onDelete.delete).toEqual([]);
});

test('rolling update with maxSurge 1: a new pod beside the old, the old deleted once the new is available', () => {
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
  const nodes = ['a', 'b'].map((n) => node(n));
  const first = planDaemonSet({ ds: ds({}, strategy), nodes, pods: [pod('a', 'old'), pod('b', 'old')], hash: 'new', now });
  expect(first.create).toEqual(['a']);
  expect(first.delete).toEqual([]);
  const oldA = pod('a', 'old');
  const waiting = planDaemonSet({ ds: ds({}, strategy), nodes, pods: [oldA, pod('a', 'new', { ready: false }), pod('b', 'old')], hash: 'new', now });
  expect(waiting.create).toEqual([]);
  expect(waiting.delete).toEqual([]);
  const done = planDaemonSet({ ds: ds({}, strategy), nodes, pods: [oldA, pod('a', 'new'), pod('b', 'old')], hash: 'new', now });
  expect(done.delete).toEqual([oldA]);
  expect(done.create).toEqual(['b']);
});

test('a failed pod is replaced only once its node\'s back-off allows; a succeeded one at once', () => {
  const failed = pod('n1', 'h', { phase: 'Failed' });
  const done = pod('n2', 'h', { phase: 'Succeeded' });
  const nodes = [node('n1'), node('n2')];
  // In back-off on n1: the failed pod stays (so nothing is created there) and the plan asks to look again.
  const waiting = planDaemonSet({ ds: ds(), nodes, pods: [failed, done], hash: 'h', now, failedPodBackoffMs: (n) => (n === 'n1' ? 4_000 : 0) });
  expect(waiting.delete).toEqual([done]);
  expect(waiting.failed).toEqual([]);
  expect(waiting.create).toEqual([]);
  expect(waiting.recheckMs).toBe(4_000);
  // Back-off over: deleted, and reported as failed so the controller doubles the back-off.
  const due = planDaemonSet({ ds: ds(), nodes, pods: [failed, done], hash: 'h', now, failedPodBackoffMs: () => 0 });
  expect(due.delete).toEqual([failed, done]);
  expect(due.failed).toEqual([failed]);
});

test('FailedPodsBackoff: 1 s, doubling per failure up to 15 min, reset after 30 quiet minutes', () => {
  const b = new FailedPodsBackoff();
  expect(b.remaining('k', now)).toBe(0);
  b.next('k', now);
  expect(b.remaining('k', now + 400)).toBe(600);
  b.next('k', now + 1_000);
  expect(b.remaining('k', now + 1_000)).toBe(2_000);
  for (let i = 0; i < 20; i++) b.next('k', now + 2_000);
  expect(b.remaining('k', now + 2_000)).toBe(15 * 60_000);
  b.next('k', now + 2_000 + 31 * 60_000);
  expect(b.remaining('k', now + 2_000 + 31 * 60_000)).toBe(1_000);
});
