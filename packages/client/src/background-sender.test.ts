import { BackgroundSender } from './background-sender.ts';

// Under native ES modules the jest object comes from import.meta, not a global.
const timers = (import.meta as unknown as { jest: typeof jest }).jest;

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

  test('with qps, starts a burst at once and then one task per 1/qps', async () => {
    timers.useFakeTimers({ now: 0 });
    try {
      const started: number[] = [];
      const sender = new BackgroundSender({ maxInFlight: 10, maxPending: 10, qps: 10, burst: 2 });
      for (let i = 0; i < 5; i++) sender.send(async () => void started.push(Date.now()));
      expect(started).toEqual([0, 0]);
      await timers.advanceTimersByTimeAsync(100);
      expect(started).toEqual([0, 0, 100]);
      await timers.advanceTimersByTimeAsync(200);
      expect(started).toEqual([0, 0, 100, 200, 300]);
      await sender.idle();
    } finally {
      timers.useRealTimers();
    }
  });
});
