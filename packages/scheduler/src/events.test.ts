import { BackgroundSender, computePodEvent, computeUnschedulableCondition } from './events.ts';
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

  test('events name the pod and the scheduler', () => {
    const pod = makePod('web-1');
    pod.metadata.uid = 'u1';
    const e = computePodEvent({ pod, type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web-1 to node-2', component: 'default-scheduler', instance: 'me', now });
    expect(e).toMatchObject({
      kind: 'Event',
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' },
      reason: 'Scheduled',
      type: 'Normal',
      source: { component: 'default-scheduler' },
      count: 1,
    });
    expect(e.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
  });
});

describe('BackgroundSender', () => {
  test('runs a few tasks at a time, drops beyond the backlog, reports failures, tells when idle', async () => {
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const errors: unknown[] = [];
    let dropped = 0;
    const sender = new BackgroundSender({ maxInFlight: 2, maxPending: 3, onDrop: () => dropped++, onError: (e) => errors.push(e) });
    const task = (fail = false) => () =>
      new Promise<void>((resolve, reject) => {
        running++;
        peak = Math.max(peak, running);
        releases.push(() => {
          running--;
          if (fail) reject(new Error('boom'));
          else resolve();
        });
      });
    sender.send(task(true));
    for (let i = 0; i < 6; i++) sender.send(task());
    expect(dropped).toBe(2); // 2 in flight + 3 waiting
    while (releases.length > 0 || running > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await sender.idle();
    expect(peak).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
