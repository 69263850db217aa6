import { Duplex } from 'node:stream';
import { spdyClientFrames } from '../../../test/support/spdy-client.ts';
import { SpdyServerSession } from './session.ts';

/** SYN_STREAMs as a client writes them: header blocks compressed in one connection-wide context. */
async function synStreams(ids: number[]): Promise<Buffer> {
  const client = spdyClientFrames();
  const frames: Buffer[] = [];
  for (const id of ids) frames.push(await client.synStream(id, { streamtype: 'data', port: '80', requestid: String(id) }));
  client.close();
  return Buffer.concat(frames);
}

/** Feeds `bytes` to a session, ends the transport once `closeWhen` resolves, and returns what the session announced, in order. */
async function announced(bytes: Buffer, closeWhen: (session: SpdyServerSession) => Promise<unknown>): Promise<string[]> {
  const events: string[] = [];
  const transport = new Duplex({ read() {}, write: (_chunk, _enc, done) => done() });
  const session = new SpdyServerSession(transport, () => undefined);
  session.on('stream', (s) => events.push(`stream ${s.id}`));
  const closed = new Promise<void>((resolve) => session.on('close', resolve));
  session.on('close', () => events.push('close'));
  transport.push(bytes);
  await closeWhen(session);
  transport.push(null);
  await closed;
  await session.settled();
  return events;
}

describe('SPDY/3 server session', () => {
  test('a closed session announces no stream after its close, though header blocks it had read were still being inflated', async () => {
    const bytes = await synStreams([1, 3, 5, 7, 9]);
    const seen: string[][] = [];
    // The client sends five SYN_STREAMs and goes away (FIN) after 0..19 turns of the event loop:
    // the close lands before, between and inside the (asynchronous) header decompressions,
    // wherever the machine's speed puts them.
    for (let turns = 0; turns < 20; turns++) {
      seen.push(await announced(bytes, async () => {
        for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
      }));
    }
    // And at two points that do not depend on its speed: at once (before any header block is
    // inflated: that runs on libuv's thread pool), and as soon as the first stream is announced,
    // with the other four header blocks read and still being inflated.
    const atOnce = await announced(bytes, async () => {});
    const afterFirst = await announced(bytes, (session) => new Promise((resolve) => session.once('stream', resolve)));
    for (const events of [...seen, atOnce, afterFirst]) expect(events.slice(events.indexOf('close'))).toEqual(['close']);
    expect(atOnce).toEqual(['close']);
    expect(afterFirst[0]).toBe('stream 1');
  });
});
