import { SchedulingQueue } from './queue.ts';
import { podInfo } from './testing/fixtures.ts';

function setup() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const q = new SchedulingQueue({ now: () => now, initialBackoffMs: 1000, maxBackoffMs: 10_000 });
  return { q, clock };
}

describe('SchedulingQueue', () => {
  test('active: highest priority first, then oldest, then arrival', () => {
    const { q } = setup();
    q.addOrUpdate(podInfo('young', { createdAt: '2026-01-01T00:00:10Z' }));
    q.addOrUpdate(podInfo('old', { createdAt: '2026-01-01T00:00:00Z' }));
    q.addOrUpdate(podInfo('vip', { priority: 100, createdAt: '2026-01-01T00:00:20Z' }));
    q.addOrUpdate(podInfo('young2', { createdAt: '2026-01-01T00:00:10Z' }));
    const order = [q.tryPop(), q.tryPop(), q.tryPop(), q.tryPop()].map((p) => p?.info.pod.metadata.name);
    expect(order).toEqual(['vip', 'old', 'young', 'young2']);
    expect(q.tryPop()).toBeUndefined();
  });

  test('a failed attempt backs off 1 s, doubling to 10 s', () => {
    const { q, clock } = setup();
    q.addOrUpdate(podInfo('p'));
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = q.tryPop()!;
      q.requeue(p, 'error');
      expect(q.lengths()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
      const due = q.nextFlushAt()!;
      clock.advance(due - 1_000_000 - waits.reduce((a, b) => a + b, 0) - 1);
      q.flush();
      expect(q.tryPop()).toBeUndefined(); // not yet
      clock.advance(1);
      waits.push(due - 1_000_000 - waits.reduce((a, b) => a + b, 0));
      q.flush();
      expect(q.lengths().active).toBe(1);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test('unschedulable pods wait for an event, then respect their backoff', () => {
    const { q, clock } = setup();
    q.addOrUpdate(podInfo('p'));
    q.requeue(q.tryPop()!, 'unschedulable');
    expect(q.lengths()).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    clock.advance(60_000);
    q.flush();
    expect(q.lengths().unschedulable).toBe(1); // time alone does not retry it (before 5 min)
    q.moveAllToActiveOrBackoff(); // say a node was added
    expect(q.lengths()).toEqual({ active: 1, backoff: 0, unschedulable: 0 });

    q.requeue(q.tryPop()!, 'unschedulable'); // second attempt: 2 s backoff
    q.moveAllToActiveOrBackoff();
    expect(q.lengths()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
    clock.advance(2000);
    q.flush();
    expect(q.tryPop()?.info.key).toBe('default/p');
  });

  test('parked pods are retried after 5 minutes anyway', () => {
    const { q, clock } = setup();
    q.addOrUpdate(podInfo('p'));
    q.requeue(q.tryPop()!, 'unschedulable');
    clock.advance(5 * 60_000);
    q.flush();
    expect(q.lengths().active).toBe(1);
  });

  test('a move event during an attempt sends the failed pod to backoff, not to the parking lot', () => {
    const { q } = setup();
    q.addOrUpdate(podInfo('p'));
    const p = q.tryPop()!;
    q.moveAllToActiveOrBackoff();
    q.requeue(p, 'unschedulable');
    expect(q.lengths()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  });

  test('updates: a spec change un-parks a pod, a status change does not', () => {
    const { q, clock } = setup();
    q.addOrUpdate(podInfo('p', { cpu: '2' }));
    q.requeue(q.tryPop()!, 'unschedulable');
    q.addOrUpdate({ ...podInfo('p', { cpu: '2' }), pod: { ...podInfo('p', { cpu: '2' }).pod, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } } });
    expect(q.lengths().unschedulable).toBe(1);
    q.addOrUpdate(podInfo('p', { cpu: '1' }));
    expect(q.lengths()).toEqual({ active: 0, backoff: 1, unschedulable: 0 }); // still backing off
    clock.advance(1000);
    q.flush();
    expect(q.tryPop()!.info.requests.milliCpu).toBe(1000);
  });

  test('deleting a pod removes it everywhere, also in flight', () => {
    const { q } = setup();
    q.addOrUpdate(podInfo('a'));
    q.addOrUpdate(podInfo('b'));
    const a = q.tryPop()!;
    q.delete('default/a');
    q.delete('default/b');
    q.requeue(a, 'error'); // ignored: the pod is gone
    expect(q.lengths()).toEqual({ active: 0, backoff: 0, unschedulable: 0 });
    expect(q.has('default/a')).toBe(false);
  });

  test('repeated adds of one pod keep one entry', () => {
    const { q } = setup();
    q.addOrUpdate(podInfo('p'));
    q.addOrUpdate(podInfo('p'));
    expect(q.lengths().active).toBe(1);
  });

  test('pop waits for a pod; close releases waiters', async () => {
    const { q } = setup();
    const next = q.pop();
    q.addOrUpdate(podInfo('p'));
    expect((await next)?.info.key).toBe('default/p');
    const waiting = q.pop();
    q.close();
    expect(await waiting).toBeUndefined();
  });

  test('a placed pod retries only the parked pods that wait on other pods, and is not missed during an attempt', () => {
    let now = 1_000_000;
    const waits = (info: { pod: { metadata: { name?: string } } }) => info.pod.metadata.name!.startsWith('affine');
    const q = new SchedulingQueue({ now: () => now, initialBackoffMs: 1000, maxBackoffMs: 10_000, waitsOnOtherPods: waits });
    q.addOrUpdate(podInfo('affine-1'));
    q.addOrUpdate(podInfo('plain'));
    const [a, b] = [q.tryPop()!, q.tryPop()!];
    q.requeue(a, 'unschedulable');
    q.requeue(b, 'unschedulable');
    expect(q.lengths().unschedulable).toBe(2);
    now += 5000; // past the backoff
    q.podPlaced();
    expect(q.lengths()).toEqual({ active: 1, backoff: 0, unschedulable: 1 });
    expect(q.tryPop()!.info.pod.metadata.name).toBe('affine-1');

    // A pod placed while an affine pod's attempt is under way: its failure is not parked.
    q.addOrUpdate(podInfo('affine-2'));
    const c = q.tryPop()!;
    q.podPlaced();
    q.requeue(c, 'unschedulable');
    expect(q.lengths().unschedulable).toBe(1); // only 'plain'
  });
});

