import { SPDY3_DICTIONARY } from './dictionary.ts';
import { dataFrames, decodeHeaderBlock, encodeHeaderBlock, FrameReader, goAwayFrame, parseFrame, pingFrame, rstStreamFrame, SpdyProtocolError, synReplyFrame } from './frames.ts';

/** zlib's checksum (RFC 1950), by which a compressed stream names its preset dictionary. */
function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const byte of b) {
    a = (a + byte) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** A SYN_STREAM as a client writes it: stream id, associated id, priority, slot, header block. */
function synStream(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const data = Buffer.alloc(10);
  data.writeUInt32BE(streamId, 0);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(1, 2);
  head.writeUInt32BE(10 + headerBlock.length, 4);
  head[4] = fin ? 1 : 0;
  return Buffer.concat([head, data, headerBlock]);
}

describe('SPDY/3 frames', () => {
  test('the header dictionary is the one zlib streams name (Adler-32 0xe3c6a7c2)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY3_DICTIONARY)).toBe(0xe3c6a7c2);
  });

  test('frames split across chunks and several in one chunk come out whole, in order', () => {
    const bytes = Buffer.concat([synStream(1, Buffer.from('hdrs')), ...dataFrames(1, Buffer.from('hello'), true), pingFrame(7)]);
    const reader = new FrameReader();
    const frames = [...reader.push(bytes.subarray(0, 5)), ...reader.push(bytes.subarray(5, 23)), ...reader.push(bytes.subarray(23))];
    expect(frames).toEqual([
      { kind: 'synStream', streamId: 1, fin: false, headerBlock: Buffer.from('hdrs') },
      { kind: 'data', streamId: 1, fin: true, data: Buffer.from('hello') },
      { kind: 'ping', id: 7 },
    ]);
  });

  test('written frames read back', () => {
    expect(parseFrame(synReplyFrame(3, Buffer.from('x'), true))).toEqual({ kind: 'synReply', streamId: 3, fin: true, headerBlock: Buffer.from('x') });
    expect(parseFrame(rstStreamFrame(5, 1))).toEqual({ kind: 'rstStream', streamId: 5, status: 1 });
    expect(parseFrame(goAwayFrame(9))).toEqual({ kind: 'goAway', lastGoodStreamId: 9 });
  });

  test('data larger than a chunk is split; only the last frame carries FIN; an empty FIN is one frame', () => {
    const frames = dataFrames(1, Buffer.alloc(70_000, 1), true, 32 * 1024).map(parseFrame);
    expect(frames.map((f) => (f.kind === 'data' ? [f.data.length, f.fin] : []))).toEqual([[32768, false], [32768, false], [4464, true]]);
    expect(dataFrames(1, Buffer.alloc(0), true).map(parseFrame)).toEqual([{ kind: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) }]);
  });

  test('header blocks: lowercase names, NUL-joined values keep the first', () => {
    const block = encodeHeaderBlock({ StreamType: 'data', port: '8080' });
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: 'data', port: '8080' });
    const multi = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('a'), Buffer.from([0, 0, 0, 3]), Buffer.from('x\0y')]);
    expect(decodeHeaderBlock(multi)).toEqual({ a: 'x' });
  });

  test('malformed input is a protocol error, never a crash', () => {
    expect(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 2, 0, 0, 0, 9]))).toThrow(SpdyProtocolError);
    expect(() => decodeHeaderBlock(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(SpdyProtocolError);
    const badVersion = pingFrame(1);
    badVersion.writeUInt16BE(0x8002, 0);
    expect(() => parseFrame(badVersion)).toThrow(/version 2/);
    const short = Buffer.from([0x80, 3, 0, 6, 0, 0, 0, 1, 0]);
    expect(() => parseFrame(short)).toThrow(SpdyProtocolError);
    const huge = Buffer.from([0, 0, 0, 1, 0, 0xff, 0xff, 0xff]);
    expect(() => new FrameReader().push(huge)).toThrow(/exceeds/);
  });
});
