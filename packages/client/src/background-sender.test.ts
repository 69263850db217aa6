import { BackgroundSender } from './background-sender.ts';

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
