// The gRPC transport of the etcd client: its pure framing and outcome rules, then real calls to a
// real etcd member (an answer, etcd's own error status, a deadline against a stopped member,
// nothing listening, a new connection after the member restarts, sessions replaced after their
// share of calls, and a handshake nobody answers), and a real Watch stream (messages as they
// come, cancelled, ended by the member's death).
import { createServer, type AddressInfo } from 'node:net';
import { createCertificateAuthority } from '@skiff/api';
import { NOTHING_LISTENS, startEtcdCluster, until, type EtcdCluster } from '../../testing/index.ts';
import { etcdTypes } from './decode.ts';
import { callOutcome, frame, GrpcChannel, grpcTimeout, MessageReader, statusError, unframe, type GrpcStatusError } from './grpc-channel.ts';

describe('framing and outcomes (pure)', () => {
  test('a message is framed with a zero flag and its big-endian length, and unframed back', () => {
    const f = frame(Buffer.from('abc'));
    expect([...f]).toEqual([0, 0, 0, 0, 3, 97, 98, 99]);
    expect(unframe(f).toString()).toBe('abc');
    expect(unframe(frame(Buffer.alloc(0))).length).toBe(0);
  });

  test('a body that is not exactly one uncompressed frame is an INTERNAL error', () => {
    expect(() => unframe(Buffer.from([0, 0, 0]))).toThrow(/^13 INTERNAL: an answer of 3 bytes/);
    expect(() => unframe(Buffer.from([1, 0, 0, 0, 0]))).toThrow(/^13 INTERNAL: a compressed answer/);
    expect(() => unframe(Buffer.from([0, 0, 0, 0, 2, 97]))).toThrow(/^13 INTERNAL: an answer of 6 bytes framing a message of 2/);
  });

  test("a stream's messages are read whole whatever the chunks: split anywhere, several in one; compressed is an error", () => {
    const m = (t: string) => frame(Buffer.from(t));
    const all = Buffer.concat([m('one'), m(''), m('three'), m('x'.repeat(70_000))]);
    for (const size of [1, 2, 4, 5, 7, 16_384, all.length]) {
      const r = new MessageReader();
      const got: string[] = [];
      for (let i = 0; i < all.length; i += size) got.push(...r.push(all.subarray(i, i + size)).map((b) => b.toString()));
      expect(got).toEqual(['one', '', 'three', 'x'.repeat(70_000)]);
      expect(r.buffered).toBe(0);
    }
    const r = new MessageReader();
    expect(r.push(m('ab').subarray(0, 6))).toEqual([]);
    expect(r.buffered).toBe(6);
    expect(() => new MessageReader().push(Buffer.from([1, 0, 0, 0, 0]))).toThrow(/^13 INTERNAL: a compressed message/);
  });

  test('grpc-timeout in whole milliseconds, never 0', () => {
    expect(grpcTimeout(2500)).toBe('2500m');
    expect(grpcTimeout(0.2)).toBe('1m');
    expect(grpcTimeout(0)).toBe('1m');
  });

  test("errors read as grpc-js's: '<code> <NAME>: <details>', with the code and details", () => {
    const e = statusError(14, 'gone');
    expect(e.message).toBe('14 UNAVAILABLE: gone');
    expect(e).toMatchObject({ code: 14, details: 'gone' });
    expect(statusError(99, 'x').message).toBe('99 UNKNOWN: x');
  });

  test('status 0 gives the message; another status its error, with grpc-message percent-decoded; no status is an error too', () => {
    expect((callOutcome(200, '0', undefined, frame(Buffer.from('ok'))) as Buffer).toString()).toBe('ok');
    expect(callOutcome(200, '11', 'etcdserver:%20mvcc:%20required%20revision%20has%20been%20compacted', Buffer.alloc(0))).toMatchObject({ code: 11, message: '11 OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted' });
    expect(callOutcome(200, '3', '%E0%A4%A', Buffer.alloc(0))).toMatchObject({ code: 3, details: '%E0%A4%A' });
    expect(callOutcome(200, undefined, undefined, Buffer.alloc(0))).toMatchObject({ code: 13 });
    expect(callOutcome(404, undefined, undefined, Buffer.alloc(0))).toMatchObject({ code: 14, details: 'HTTP status 404 without a gRPC status' });
    expect(callOutcome(200, 'x', undefined, Buffer.alloc(0))).toMatchObject({ code: 13 });
    expect(callOutcome(200, '0', undefined, Buffer.from([0, 0, 0, 0, 9]))).toMatchObject({ code: 13 });
  });
});

describe('calls to a real member', () => {
  let cluster: EtcdCluster;
  const RangeRequest = () => etcdTypes().lookupType('etcdserverpb.RangeRequest');
  const RangeResponse = () => etcdTypes().lookupType('etcdserverpb.RangeResponse');
  const range = (ch: GrpcChannel, req: object, ms = 3000) => ch.call('/etcdserverpb.KV/Range', RangeRequest().encode(RangeRequest().fromObject(req)).finish(), new Date(Date.now() + ms));
  const WINDOW = 1 << 20;

  beforeAll(async () => {
    cluster = await startEtcdCluster(1);
  }, 30_000);
  afterAll(() => cluster.stop());

  test("an answer; etcd's own error status; a stopped member's deadline; the next connection after a restart", async () => {
    const ch = new GrpcChannel(cluster.hosts[0], undefined, WINDOW);
    try {
      const answer = RangeResponse().decode(await range(ch, { key: Buffer.from('/none') })) as unknown as { header: { revision: { toString(): string } } };
      expect(Number(answer.header.revision.toString())).toBeGreaterThan(0);

      await expect(range(ch, { key: Buffer.from('/none'), revision: 1_000_000 })).rejects.toMatchObject({ code: 11, message: expect.stringMatching(/^11 OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision/) });

      await cluster.pause(0);
      const t0 = Date.now();
      try {
        await expect(range(ch, { key: Buffer.from('/none') }, 300)).rejects.toMatchObject({ code: 4 });
        expect(Date.now() - t0).toBeLessThan(2000);
      } finally {
        cluster.resume(0);
      }

      await cluster.kill(0);
      await expect(range(ch, { key: Buffer.from('/none') })).rejects.toMatchObject({ code: 14 });
      await cluster.start(0);
      await cluster.rejoined(0);
      expect((await range(ch, { key: Buffer.from('/none') })).length).toBeGreaterThan(0);
    } finally {
      ch.close();
    }
  }, 60_000);

  test('a session carries at most its share of calls, then the next call opens another; every call is answered', async () => {
    const ch = new GrpcChannel(cluster.hosts[0], undefined, WINDOW, 2);
    try {
      for (let i = 0; i < 5; i++) expect((await range(ch, { key: Buffer.from(`/n${i}`) })).length).toBeGreaterThan(0);
      expect(ch.sessionsOpened).toBe(3);
    } finally {
      ch.close();
    }
  });

  test('a TLS handshake nobody answers: the call ends at its deadline, and the next call connects anew', async () => {
    const silent = createServer(() => {}); // accepts, never speaks
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const ca = await createCertificateAuthority('unused-ca');
    const ch = new GrpcChannel(`127.0.0.1:${(silent.address() as AddressInfo).port}`, { ca: Buffer.from(ca.cert) }, WINDOW);
    try {
      await expect(range(ch, { key: Buffer.from('/none') }, 300)).rejects.toMatchObject({ code: 4, message: expect.stringMatching(/still connecting/) });
      await expect(range(ch, { key: Buffer.from('/none') }, 300)).rejects.toMatchObject({ code: 4 });
      expect(ch.sessionsOpened).toBe(2);
    } finally {
      ch.close();
      silent.close();
    }
  });

  test('a Watch stream: answers as they come, nothing after a cancel, and the end when the member dies', async () => {
    const WatchRequest = etcdTypes().lookupType('etcdserverpb.WatchRequest');
    const WatchResponse = etcdTypes().lookupType('etcdserverpb.WatchResponse');
    const PutRequest = etcdTypes().lookupType('etcdserverpb.PutRequest');
    const put = (ch: GrpcChannel, key: string) => ch.call('/etcdserverpb.KV/Put', PutRequest.encode(PutRequest.fromObject({ key: Buffer.from(key), value: Buffer.from('v') })).finish(), new Date(Date.now() + 3000));
    const watchReq = (prefix: string) => WatchRequest.encode(WatchRequest.fromObject({ create_request: { key: Buffer.from(prefix), range_end: Buffer.from(prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)) } })).finish();
    type Answer = { created: boolean; events: { kv: { key: Uint8Array } }[] };
    const ch = new GrpcChannel(cluster.hosts[0], undefined, WINDOW);
    try {
      const answers: Answer[] = [];
      const ends: GrpcStatusError[] = [];
      const s1 = ch.stream('/etcdserverpb.Watch/Watch', { onMessage: (m) => answers.push(WatchResponse.toObject(WatchResponse.decode(m), { defaults: true }) as Answer), onEnd: (e) => ends.push(e) });
      s1.write(watchReq('/w/'));
      await until('the watch created', () => answers.some((a) => a.created));
      for (const k of ['/w/a', '/w/b', '/other']) await put(ch, k);
      await until('both events', () => answers.flatMap((a) => a.events).length >= 2);
      expect(answers.flatMap((a) => a.events.map((e) => Buffer.from(e.kv.key).toString()))).toEqual(['/w/a', '/w/b']);
      // Cancelled: no handler is called again, whatever happens on the member.
      s1.cancel();
      const seen = answers.length;
      await put(ch, '/w/c');
      // A second stream on the same session, open while the member dies: it ends, UNAVAILABLE.
      const ends2: GrpcStatusError[] = [];
      const answers2: Answer[] = [];
      const s2 = ch.stream('/etcdserverpb.Watch/Watch', { onMessage: (m) => answers2.push(WatchResponse.toObject(WatchResponse.decode(m), { defaults: true }) as Answer), onEnd: (e) => ends2.push(e) });
      s2.write(watchReq('/w/'));
      await until('the second watch created', () => answers2.some((a) => a.created));
      await cluster.kill(0);
      await until('the second stream ended', () => ends2.length === 1);
      expect(ends2[0]).toMatchObject({ code: 14 });
      expect(answers.length).toBe(seen);
      expect(ends).toEqual([]);
      await cluster.start(0);
      await cluster.rejoined(0);
    } finally {
      ch.close();
    }
  }, 60_000);

  test('nothing listening: UNAVAILABLE, saying why; a closed channel refuses at once', async () => {
    const ch = new GrpcChannel(`${NOTHING_LISTENS.host}:${NOTHING_LISTENS.port}`, undefined, WINDOW);
    await expect(range(ch, { key: Buffer.from('/none') })).rejects.toMatchObject({ code: 14, message: expect.stringMatching(/ECONNREFUSED/) });
    ch.close();
    await expect(range(ch, { key: Buffer.from('/none') })).rejects.toMatchObject({ code: 14, message: expect.stringMatching(/closed/) });
  });
});
