import { StorageError } from '../types.ts';
import { attemptDeadline, callEtcd, isTransient, retryDelayMs, type AttemptOptions } from './fault-handling.ts';
import { statusError } from './grpc-channel.ts';

/** Errors as the channels make them (./grpc-channel.ts): UNAVAILABLE, DEADLINE_EXCEEDED, INVALID_ARGUMENT. */
const unavailable = (details: string) => statusError(14, details);
const deadline = (details: string) => statusError(4, details);
const invalid = (details: string) => statusError(3, details);

describe('which etcd failures are retried, and for how long', () => {
  test('an unreachable member, an election: transient; a bad request or a compacted revision: not', () => {
    expect(isTransient(unavailable('No connection established'))).toBe(true);
    expect(isTransient(new Error('etcdserver: leader changed'))).toBe(true);
    expect(isTransient(new Error('etcdserver: no leader'))).toBe(true);
    expect(isTransient(new Error('etcdserver: request timed out'))).toBe(true);
    expect(isTransient(invalid('etcdserver: request is too large'))).toBe(false);
    expect(isTransient(new Error('etcdserver: mvcc: required revision has been compacted'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });

  test('by gRPC status: the statuses etcd3 counted as recoverable, and no others', () => {
    const transient = Array.from({ length: 17 }, (_, code) => code).filter((code) => isTransient(statusError(code, 'x')));
    // CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE
    expect(transient).toEqual([1, 2, 4, 8, 10, 13, 14]);
    expect(isTransient(statusError(11, 'etcdserver: mvcc: required revision has been compacted'))).toBe(false);
    expect(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
  });

  test('back-off doubles from 50 ms to at most 500 ms, and stops when the next attempt would start past the deadline', () => {
    const err = unavailable('down');
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(err, a, 0, 5000))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(retryDelayMs(err, 1, 4949, 5000)).toBe(50);
    expect(retryDelayMs(err, 1, 4950, 5000)).toBeUndefined();
    expect(retryDelayMs(err, 5, 4500, 5000)).toBeUndefined();
    expect(retryDelayMs(new Error('etcdserver: mvcc: required revision has been compacted'), 1, 0, 5000)).toBeUndefined();
  });
});

describe('callEtcd: one deadline per call, at most half of it for one attempt', () => {
  test('an attempt ends by half the budget after it starts, and never after the call\'s deadline', () => {
    expect(attemptDeadline(1000, 1000, 5000).getTime()).toBe(3500);
    expect(attemptDeadline(3000, 1000, 5000).getTime()).toBe(5500);
    expect(attemptDeadline(5000, 1000, 5000).getTime()).toBe(6000);
  });

  test('attempts are made until the deadline; then Unavailable, saying how long and how often', async () => {
    const attempts: { at: number; deadline: number }[] = [];
    const began = Date.now();
    const err = await callEtcd((o: AttemptOptions) => {
      attempts.push({ at: Date.now(), deadline: o.deadline.getTime() });
      return Promise.reject(unavailable('No connection established'));
    }, { budgetMs: 300 }).catch((e: unknown) => e);
    // Attempts at 0, 50 and 150 ms; the next would start at 350 ms, past the deadline.
    expect(attempts).toHaveLength(3);
    for (const a of attempts) expect(a.deadline).toBeLessThanOrEqual(Math.min(began + 300, a.at + 150) + 1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(150);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('Unavailable');
    expect((err as StorageError).message).toMatch(/^the datastore \(etcd\) is unavailable \(3 attempts in 0\.\d s\): 14 UNAVAILABLE: No connection established$/);
  });

  test('a last attempt that failed otherwise than those before it: the earlier kind of failure is told too', async () => {
    // As CI met it: etcd refused the client certificate, then the last attempt had 1 ms left.
    const refusal = '127.0.0.1:35469: the connection ended before an answer (C0:error:0A000412:SSL routines:ssl3_read_bytes:ssl/tls alert bad certificate:SSL alert number 42)';
    let calls = 0;
    const err = await callEtcd(() => {
      calls++;
      return Promise.reject(calls < 3 ? unavailable(refusal) : deadline(`Deadline exceeded after ${calls} ms (still connecting)`));
    }, { budgetMs: 400 }).catch((e: unknown) => e);
    expect(calls).toBeGreaterThanOrEqual(4);
    expect((err as StorageError).message).toMatch(/: 4 DEADLINE_EXCEEDED: Deadline exceeded after \d+ ms \(still connecting\); an earlier attempt: 14 UNAVAILABLE: .*alert bad certificate/);
    // Failures that differ only in their numbers are one kind: nothing more is told.
    calls = 0;
    const same = await callEtcd(() => Promise.reject(deadline(`Deadline exceeded after ${++calls * 7} ms`)), { budgetMs: 300 }).catch((e: unknown) => e);
    expect((same as StorageError).message).toMatch(/: 4 DEADLINE_EXCEEDED: Deadline exceeded after \d+ ms$/);
  });

  test('a transient failure is tried again and the answer returned; a lasting one is not retried', async () => {
    let calls = 0;
    const value = await callEtcd(async () => {
      if (++calls < 3) throw new Error('etcdserver: leader changed');
      return 'ok';
    }, { budgetMs: 5000 });
    expect({ value, calls }).toEqual({ value: 'ok', calls: 3 });

    calls = 0;
    const compacted = await callEtcd(() => {
      calls++;
      return Promise.reject(new Error('etcdserver: mvcc: required revision has been compacted'));
    }, { budgetMs: 5000 }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((compacted as StorageError).code).toBe('Expired');
    const tooLarge = await callEtcd(() => Promise.reject(invalid('etcdserver: request is too large')), { budgetMs: 5000 }).catch((e: unknown) => e);
    expect((tooLarge as StorageError).code).toBe('TooLarge');
  });
});
