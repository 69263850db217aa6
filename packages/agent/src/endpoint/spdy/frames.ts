// SPDY/3 frames (protocol draft 3, section 2.2), the part a port-forward server needs: reading
// frames out of a byte stream, and writing SYN_REPLY, DATA, RST_STREAM, PING and GOAWAY. Pure: the
// header blocks stay compressed here (./session.ts runs them through zlib in order).
//
// Control frame: 1 bit set, 15 bits version (3), 16 bits type, 8 bits flags, 24 bits length, data.
// Data frame:    1 bit clear, 31 bits stream id, 8 bits flags, 24 bits length, data.

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;

export const ControlType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;
type ControlTypeCode = (typeof ControlType)[keyof typeof ControlType];

/** RST_STREAM status codes used here. */
export const RST_PROTOCOL_ERROR = 1;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;
export const RST_INTERNAL_ERROR = 6;

export type Frame =
  | { kind: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { kind: 'synStream'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { kind: 'synReply' | 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { kind: 'rstStream'; streamId: number; status: number }
  | { kind: 'ping'; id: number }
  | { kind: 'goAway'; lastGoodStreamId: number }
  /** SETTINGS, WINDOW_UPDATE and unknown types: read and ignored (kubectl's spdystream does no flow control). */
  | { kind: 'ignored'; type: number };

export class SpdyProtocolError extends Error {}

/** Largest frame accepted: DATA frames from kubectl are at most 32 KiB; headers far smaller. */
export const MAX_FRAME_LENGTH = 1 << 20;

/** Splits a byte stream into frames; feed it chunks, take whole frames out. */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    while (this.buffer.length >= 8) {
      const length = this.buffer.readUIntBE(5, 3);
      if (length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`frame of ${length} bytes exceeds ${MAX_FRAME_LENGTH}`);
      if (this.buffer.length < 8 + length) break;
      frames.push(parseFrame(this.buffer.subarray(0, 8 + length)));
      this.buffer = this.buffer.subarray(8 + length);
    }
    return frames;
  }
}

const streamIdAt = (b: Buffer, offset: number) => b.readUInt32BE(offset) & 0x7fffffff;

/** One whole frame (header and data) into its in-memory form. */
export function parseFrame(b: Buffer): Frame {
  const flags = b[4];
  const data = b.subarray(8);
  if ((b[0] & 0x80) === 0) return { kind: 'data', streamId: streamIdAt(b, 0), fin: (flags & FLAG_FIN) !== 0, data };
  const version = b.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = b.readUInt16BE(2);
  const need = (n: number) => {
    if (data.length < n) throw new SpdyProtocolError(`control frame type ${type} too short (${data.length} bytes)`);
  };
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case ControlType.SynStream:
      need(10);
      return { kind: 'synStream', streamId: streamIdAt(data, 0), fin, headerBlock: data.subarray(10) };
    case ControlType.SynReply:
    case ControlType.Headers:
      need(4);
      return { kind: type === ControlType.SynReply ? 'synReply' : 'headers', streamId: streamIdAt(data, 0), fin, headerBlock: data.subarray(4) };
    case ControlType.RstStream:
      need(8);
      return { kind: 'rstStream', streamId: streamIdAt(data, 0), status: data.readUInt32BE(4) };
    case ControlType.Ping:
      need(4);
      return { kind: 'ping', id: data.readUInt32BE(0) };
    case ControlType.GoAway:
      need(4);
      return { kind: 'goAway', lastGoodStreamId: streamIdAt(data, 0) };
    default:
      return { kind: 'ignored', type };
  }
}

function controlFrame(type: ControlTypeCode, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(data.length, 4);
  head[4] = flags;
  return Buffer.concat([head, data]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

export function synReplyFrame(streamId: number, compressedHeaders: Buffer, fin = false): Buffer {
  return controlFrame(ControlType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([u32s(streamId & 0x7fffffff), compressedHeaders]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(ControlType.RstStream, 0, u32s(streamId & 0x7fffffff, status));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(ControlType.Ping, 0, u32s(id));
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  return controlFrame(ControlType.GoAway, 0, u32s(lastGoodStreamId & 0x7fffffff, status));
}

/** DATA frames for `data` (split at `maxChunk`); an empty `data` with `fin` is a bare FIN. */
export function dataFrames(streamId: number, data: Buffer, fin: boolean, maxChunk = 32 * 1024): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + maxChunk);
    offset += chunk.length;
    const last = offset >= data.length;
    const head = Buffer.alloc(8);
    head.writeUInt32BE(streamId & 0x7fffffff, 0);
    head.writeUInt32BE(chunk.length, 4);
    head[4] = last && fin ? FLAG_FIN : 0;
    frames.push(Buffer.concat([head, chunk]));
  } while (offset < data.length);
  return frames;
}

/**
 * An uncompressed SPDY/3 header block: a 32-bit count, then per header a 32-bit name length, the
 * name, a 32-bit value length and the value (several values joined by NUL).
 */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [u32s(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(value);
    parts.push(u32s(n.length), n, u32s(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Header names are lowercase in SPDY; a repeated name keeps its first value. */
export function decodeHeaderBlock(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  const take = (n: number) => {
    if (offset + n > b.length) throw new SpdyProtocolError('truncated header block');
    const slice = b.subarray(offset, offset + n);
    offset += n;
    return slice;
  };
  const count = take(4).readUInt32BE(0);
  if (count > 1000) throw new SpdyProtocolError(`header block claims ${count} headers`);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString().toLowerCase();
    const value = take(take(4).readUInt32BE(0)).toString();
    if (!(name in out)) out[name] = value.split('\0')[0];
  }
  return out;
}
