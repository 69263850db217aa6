import { computeUnschedulableCondition } from './events.ts';
import { makePod } from './testing/fixtures.ts';

describe('reports', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');

  test('PodScheduled=False with the message; nothing when the pod says so already', () => {
    const pod = makePod('p');
    const condition = computeUnschedulableCondition(pod, '0/1 nodes are available: 1 Insufficient cpu.', now)!;
    expect(condition).toEqual({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.', lastTransitionTime: '2026-01-02T03:04:05Z' });
    pod.status = { phase: 'Pending', conditions: [condition] };
    expect(computeUnschedulableCondition(pod, '0/1 nodes are available: 1 Insufficient cpu.', now)).toBeUndefined();
    // A new message keeps the transition time.
    expect(computeUnschedulableCondition(pod, 'other', new Date('2027-01-01T00:00:00Z'))!.lastTransitionTime).toBe('2026-01-02T03:04:05Z');
  });
});
