import type { KubeObject } from '@skiff/api';
import { computeEvictionTime, computeNodeUpdate, computePodNotReadyConditions, isNodeStale, TAINT_UNREACHABLE } from './plan.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const node = (ready: string, taints: any[] = [], reason = 'KubeletReady'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: ready, reason }, { type: 'MemoryPressure', status: 'False' }] },
});

test('stale beyond the grace period', () => {
  expect(isNodeStale({ lastHeartbeat: NOW - 41_000, now: NOW, gracePeriodMs: 40_000 })).toBe(true);
  expect(isNodeStale({ lastHeartbeat: NOW - 39_000, now: NOW, gracePeriodMs: 40_000 })).toBe(false);
});

test('a stale node becomes Unknown and gets the unreachable taints with timeAdded', () => {
  const u = computeNodeUpdate(node('True'), true, NOW);
  expect(u.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
    ['Ready', 'Unknown', 'NodeStatusUnknown'],
    ['MemoryPressure', 'Unknown', 'NodeStatusUnknown'],
  ]);
  expect(u.taints).toEqual([
    { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
    { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:10:00Z' },
  ]);
  // Applying it again changes nothing.
  const after = node('Unknown', u.taints, 'NodeStatusUnknown');
  after.status.conditions = u.conditions;
  expect(computeNodeUpdate(after, true, NOW + 5000)).toEqual({});
});

test('a node back loses the taint; other taints stay', () => {
  const n = node('Unknown', [{ key: 'x', effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: 'z' }], 'NodeStatusUnknown');
  const u = computeNodeUpdate(n, false, NOW);
  expect(u.taints).toEqual([{ key: 'x', effect: 'NoSchedule' }]);
  expect(u.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True' });
});

test('a healthy node is left alone', () => {
  expect(computeNodeUpdate(node('True'), false, NOW)).toEqual({});
});

test('eviction time: default toleration, explicit seconds, forever, untolerated', () => {
  const taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:10:00Z' };
  const pod = (tolerations?: any[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations } });
  expect(computeEvictionTime(pod(), [taint], 300)).toBe(NOW + 300_000);
  expect(computeEvictionTime(pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), [taint], 300)).toBe(NOW + 5000);
  expect(computeEvictionTime(pod([{ operator: 'Exists' }]), [taint], 300)).toBeUndefined();
  // The admission default (300 s) follows the configured default.
  expect(computeEvictionTime(pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [taint], 2)).toBe(NOW + 2000);
  expect(computeEvictionTime(pod(), [{ key: 'custom', effect: 'NoExecute', timeAdded: taint.timeAdded }], 300)).toBe(NOW);
  expect(computeEvictionTime(pod(), [{ key: 'custom', effect: 'NoSchedule' }], 300)).toBeUndefined();
});

test('pods of an unreachable node are marked not ready, once', () => {
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] } };
  const c = computePodNotReadyConditions(pod, NOW)!;
  expect(c.map((x) => [x.type, x.status])).toEqual([['PodScheduled', 'True'], ['Ready', 'False']]);
  expect(computePodNotReadyConditions({ ...pod, status: { conditions: c } }, NOW)).toBeUndefined();
});
