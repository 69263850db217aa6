// Leader election between real electors over HTTP against the real API server. The electors
// reach it through a TCP proxy the test can cut (the server unreachable); the test reads and
// changes the Lease with a client of its own, straight to the server.
import { RESOURCES } from '@skiff/api';
import { startTcpProxy, startTestServer, until, type TcpProxy, type TestServer } from '@skiff/apiserver/testing';
import { LeaderElector, type LeaderElectorOptions } from './leader-election.ts';
import { RestClient } from './rest-client.ts';

const LEASES = RESOURCES.find((r) => r.plural === 'leases')!;
const MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('LeaderElector', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  /** The electors' client, through the proxy. */
  let client: RestClient;
  /** The test's own, straight to the server. */
  let admin: RestClient;
  const electors: LeaderElector[] = [];

  function candidate(identity: string, extra: Partial<LeaderElectorOptions> = {}) {
    const events: string[] = [];
    let signal: AbortSignal | undefined;
    const e = new LeaderElector({
      client,
      name: 'skiff-test',
      identity,
      leaseDurationMs: 1000,
      renewDeadlineMs: 600,
      retryPeriodMs: 100,
      onStartedLeading: (s) => {
        signal = s;
        events.push('started');
      },
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (id) => events.push(`leader ${id}`),
      onError: () => {},
      ...extra,
    });
    electors.push(e);
    return { e, events, signal: () => signal };
  }

  beforeEach(async () => {
    server = await startTestServer();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port });
    client = new RestClient({ server: `http://${proxy.address}` });
    admin = new RestClient({ server: server.url });
  });
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    client.close();
    admin.close();
    await proxy.close();
    await server.close();
  });

  const lease = () => admin.get(LEASES, 'kube-system', 'skiff-test');
  /** Waits until the holder has renewed the lease `times` times more. */
  const renewals = async (times: number) => {
    for (let i = 0; i < times; i++) {
      const before = (await lease()).spec.renewTime;
      await until('a renewal', async () => (await lease()).spec.renewTime !== before, 5000);
    }
  };

  test('of two candidates exactly one leads; the other takes over only after the lease expires', async () => {
    const a = candidate('a');
    const b = candidate('b');
    a.e.start();
    b.e.start();
    await until('condition', () => a.e.isLeader() || b.e.isLeader());
    await renewals(3);
    expect([a.e.isLeader(), b.e.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.e.isLeader() ? [a, b] : [b, a];
    expect(follower.e.getLeader()).toBe(leader.e === a.e ? 'a' : 'b');
    const held = (await lease()).spec;
    expect(held).toMatchObject({ holderIdentity: leader.e.getLeader(), leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(held.renewTime).toMatch(MICRO);
    expect(held.acquireTime).toMatch(MICRO);

    // The leader stops renewing (stop without release, like a crashed process).
    await leader.e.stop();
    expect(leader.events.at(-1)).toBe('stopped');
    expect(leader.signal()?.aborted).toBe(true);
    const lastRenew = Date.parse((await lease()).spec.renewTime!);
    await until('takeover', () => follower.e.isLeader(), 5000);
    expect(Date.now() - lastRenew).toBeGreaterThanOrEqual(1000);
    const taken = (await lease()).spec;
    expect(taken.holderIdentity).toBe(follower.e.getLeader());
    expect(taken.leaseTransitions).toBe(1);
    expect(follower.events).toContain('started');
  });

  test('releaseOnStop hands over without waiting for expiry', async () => {
    const a = candidate('a', { releaseOnStop: true });
    a.e.start();
    await until('condition', () => a.e.isLeader());
    const b = candidate('b');
    b.e.start();
    await until('b sees a lead', () => b.events.includes('leader a'));
    expect(b.e.isLeader()).toBe(false);
    const t = Date.now();
    await a.e.stop();
    await until('condition', () => b.e.isLeader());
    expect(Date.now() - t).toBeLessThan(800);
  });

  test('a leader whose lease is taken steps down, then campaigns again', async () => {
    const a = candidate('a');
    a.e.start();
    await until('condition', () => a.e.isLeader());
    const l = await lease();
    await admin.update(LEASES, { ...l, spec: { ...l.spec, holderIdentity: 'intruder', renewTime: new Date().toISOString().replace('Z', '000Z') } });
    await until('step down', () => !a.e.isLeader(), 2000);
    expect(a.signal()?.aborted).toBe(true);
    expect(a.events).toContain('leader intruder');
    // The intruder never renews, so after the lease duration `a` leads again.
    await until('re-acquire', () => a.e.isLeader(), 3000);
    expect(a.events.filter((e) => e === 'started')).toHaveLength(2);
  });

  test('a leader that cannot reach the server steps down after renewDeadline', async () => {
    const a = candidate('a');
    a.e.start();
    await until('condition', () => a.e.isLeader());
    proxy.cut();
    const t = Date.now();
    await until('step down', () => !a.e.isLeader(), 3000);
    expect(Date.now() - t).toBeLessThan(1000); // before the lease could expire for others
    proxy.restore();
    await until('re-acquire', () => a.e.isLeader(), 3000);
  });

  test('rejects inconsistent durations', () => {
    expect(() => new LeaderElector({ client, name: 'x', identity: 'a', leaseDurationMs: 1000, renewDeadlineMs: 1000 })).toThrow();
    expect(() => new LeaderElector({ client, name: 'x', identity: 'a', renewDeadlineMs: 1000, retryPeriodMs: 900 })).toThrow();
  });
});
