import { BrokenCircuitError } from 'cockatiel';
import { GRPCUnavailableError, GRPCInvalidArgumentError } from 'etcd3';
import { isTransient, retryDelayMs } from './fault-handling.ts';

describe('which etcd failures are retried, and for how long', () => {
  test('an unreachable member, every breaker open, an election: transient; a bad request or a compacted revision: not', () => {
    expect(isTransient(new GRPCUnavailableError('14 UNAVAILABLE: No connection established'))).toBe(true);
    expect(isTransient(new BrokenCircuitError())).toBe(true);
    expect(isTransient(new Error('etcdserver: leader changed'))).toBe(true);
    expect(isTransient(new Error('etcdserver: no leader'))).toBe(true);
    expect(isTransient(new Error('etcdserver: request timed out'))).toBe(true);
    expect(isTransient(new GRPCInvalidArgumentError('etcdserver: request is too large'))).toBe(false);
    expect(isTransient(new Error('etcdserver: mvcc: required revision has been compacted'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });

  test('back-off doubles from 50 ms to at most 500 ms, and stops when the budget is spent', () => {
    const err = new GRPCUnavailableError('down');
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(err, a, 0, 5000))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(retryDelayMs(err, 1, 4999, 5000)).toBe(50);
    expect(retryDelayMs(err, 1, 5000, 5000)).toBeUndefined();
    expect(retryDelayMs(new Error('etcdserver: mvcc: required revision has been compacted'), 1, 0, 5000)).toBeUndefined();
  });
});
