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

describe('SPDY/3 server session', () => {
  test('a closed session announces no stream after its close, though header blocks it had read were still being inflated', async () => {
    const bytes = await synStreams([1, 3, 5, 7, 9]);
    const seen: string[][] = [];
    // The client sends five SYN_STREAMs and goes away (FIN) after 0..19 turns of the event loop:
    // the close lands before, between and inside the (asynchronous) header decompressions.
    for (let turns = 0; turns < 20; turns++) {
      const events: string[] = [];
      const transport = new Duplex({ read() {}, write: (_chunk, _enc, done) => done() });
      const session = new SpdyServerSession(transport, () => undefined);
      session.on('stream', (s) => events.push(`stream ${s.id}`));
      const closed = new Promise<void>((resolve) => session.on('close', resolve));
      session.on('close', () => events.push('close'));
      transport.push(bytes);
      for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
      transport.push(null);
      await closed;
      await session.settled();
      seen.push(events);
    }
    for (const events of seen) expect(events.slice(events.indexOf('close'))).toEqual(['close']);
    // Some closes came after a stream was announced, some before any.
    expect(seen.some((e) => e[0] === 'close')).toBe(true);
    expect(seen.some((e) => e[0] === 'stream 1')).toBe(true);
  });
});
