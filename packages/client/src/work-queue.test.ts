import { DelayHeap } from './delay-heap.ts';
import { ExponentialBackoffRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter } from './rate-limiter.ts';
import { TerminalError, runWorkers } from './run-workers.ts';
import { WorkQueue } from './work-queue.ts';
import { until } from '@skiff/apiserver/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Resolves to 'pending' if the promise has not settled within 20 ms: a "nothing happens" check,
 * for which there is no event to await.
 */
const peek = <T>(p: Promise<T>) => Promise.race([p, sleep(20).then(() => 'pending' as const)]);

describe('WorkQueue', () => {
  test('repeated adds of a queued key merge (dirty set)', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  test('a key being processed is not handed out again until done; adds meanwhile merge into one', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    const second = q.get();
    expect(await peek(second)).toBe('pending');
    q.done('a');
    expect(await second).toBe('a');
    q.done('a');
    expect(await peek(q.get())).toBe('pending');
    q.shutDown();
  });

  test('a key done without re-adding is gone', async () => {
    const q = new WorkQueue();
    q.add('a');
    await q.get();
    q.done('a');
    expect(q.len()).toBe(0);
  });

  test('get waits for an add', async () => {
    const q = new WorkQueue();
    const p = q.get();
    expect(await peek(p)).toBe('pending');
    q.add('x');
    expect(await p).toBe('x');
  });

  test('addAfter delays the key; the earlier of two times wins; 0 adds now', async () => {
    const q = new WorkQueue();
    const t0 = Date.now();
    q.addAfter('late', 200);
    q.addAfter('late', 60);
    q.addAfter('now', 0);
    expect(await q.get()).toBe('now');
    expect(await q.get()).toBe('late');
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(55);
    expect(waited).toBeLessThan(190);
    q.done('late');
    // The superseded 200 ms entry must not fire: nothing happens, so there is no event to await.
    await sleep(200);
    expect(q.len()).toBe(0);
  });

  test('addRateLimited backs off per key, growing until forget', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ExponentialBackoffRateLimiter({ baseMs: 20, maxMs: 1000 }) });
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      q.addRateLimited('k');
      expect(await q.get()).toBe('k');
      waits.push(Date.now() - t);
      q.done('k');
    }
    expect(q.numRequeues('k')).toBe(3);
    expect(waits[0]).toBeGreaterThanOrEqual(15);
    expect(waits[1]).toBeGreaterThanOrEqual(35);
    expect(waits[2]).toBeGreaterThanOrEqual(75);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });

  test('shutDown: idle getters get undefined, queued keys are still handed out, adds are ignored', async () => {
    const q = new WorkQueue();
    const idle = q.get();
    q.shutDown();
    expect(await idle).toBeUndefined();

    const q2 = new WorkQueue();
    q2.add('a');
    q2.addAfter('delayed', 10);
    q2.shutDown();
    q2.add('b');
    expect(q2.shuttingDown()).toBe(true);
    expect(await q2.get()).toBe('a');
    expect(await q2.get()).toBeUndefined();
  });

  test('shutDownWithDrain waits for queued and in-process keys', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    expect(await q.get()).toBe('a');
    let drained = false;
    const drain = q.shutDownWithDrain().then(() => (drained = true));
    expect(await peek(drain)).toBe('pending');
    q.done('a');
    expect(await q.get()).toBe('b');
    expect(await peek(drain)).toBe('pending');
    q.done('b');
    await drain;
    expect(await q.get()).toBeUndefined();
  });
});

describe('rate limiters', () => {
  test('exponential: doubles per failure up to the cap, per key', () => {
    const r = new ExponentialBackoffRateLimiter<string>({ baseMs: 5, maxMs: 100 });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => r.when('a'))).toEqual([5, 10, 20, 40, 80, 100, 100]);
    expect(r.when('b')).toBe(5);
    r.forget('a');
    expect(r.when('a')).toBe(5);
  });

  test('token bucket: burst, then one token per 1/qps', () => {
    let now = 0;
    const r = new TokenBucketRateLimiter<string>({ qps: 10, burst: 2, now: () => now });
    expect([r.when('a'), r.when('b'), r.when('c'), r.when('d')]).toEqual([0, 0, 100, 200]);
    now = 1000; // refilled up to the burst
    expect([r.when('e'), r.when('f')]).toEqual([0, 0]);
  });

  test('max-of combines per-key backoff with the overall bucket', () => {
    let now = 0;
    const r = new MaxOfRateLimiter<string>(new ExponentialBackoffRateLimiter({ baseMs: 5 }), new TokenBucketRateLimiter({ qps: 1, burst: 1, now: () => now }));
    expect(r.when('a')).toBe(5);
    expect(r.when('a')).toBe(1000);
    expect(r.numRequeues('a')).toBe(2);
  });
});

describe('DelayHeap', () => {
  test('pops in time order', () => {
    const h = new DelayHeap<number>();
    const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000);
    times.forEach((t, i) => h.push(i, t));
    const out = h.popDue(1000);
    expect(out.map((i) => times[i])).toEqual([...times].sort((a, b) => a - b));
    expect(h.size).toBe(0);
  });
});

describe('runWorkers', () => {
  test('retries a failing key with backoff, forgets it on success, never runs one key twice at once', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ExponentialBackoffRateLimiter({ baseMs: 1, maxMs: 10 }) });
    const attempts = new Map<string, number>();
    const running = new Set<string>();
    let maxParallel = 0;
    let overlap = false;
    const errors: unknown[] = [];
    const workers = runWorkers(
      q,
      4,
      async (key) => {
        if (running.has(key)) overlap = true;
        running.add(key);
        maxParallel = Math.max(maxParallel, running.size);
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        await sleep(5); // work that takes a while, so that keys overlap in time
        if (n === 1 && key === 'busy') q.add(key); // an add during processing must not overlap
        running.delete(key);
        if (key === 'flaky' && n < 3) throw new Error('not yet');
        if (key === 'bad') throw new TerminalError('never');
      },
      { onError: (_k, err) => errors.push(err) },
    );
    for (const k of ['flaky', 'bad', 'busy', 'x', 'y', 'z']) q.add(k);
    await until('flaky through on its third attempt, busy on its second', () => attempts.get('flaky') === 3 && attempts.get('busy') === 2);
    await q.shutDownWithDrain();
    await workers;
    expect(overlap).toBe(false);
    expect(maxParallel).toBeGreaterThan(1);
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('bad')).toBe(1);
    expect(attempts.get('x')).toBe(1);
    expect(attempts.get('busy')).toBe(2);
    expect(q.numRequeues('flaky')).toBe(0);
    expect(errors).toHaveLength(3);
  });

  test('requeueAfterMs brings the key back later', async () => {
    const q = new WorkQueue();
    const seen: number[] = [];
    const workers = runWorkers(q, 1, (key) => {
      seen.push(Date.now());
      return seen.length < 2 ? { requeueAfterMs: 50 } : undefined;
    });
    q.add('k');
    await until('the key back', () => seen.length === 2);
    q.shutDown();
    await workers;
    expect(seen).toHaveLength(2);
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(45);
  });
});
