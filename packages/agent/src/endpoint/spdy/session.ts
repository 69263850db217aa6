// The server end of one SPDY/3 connection, as kubectl's client (Go's spdystream) speaks it: the
// client opens streams (SYN_STREAM with headers), the server answers each with a SYN_REPLY, then
// both send DATA frames, a FIN half-closes one direction and RST_STREAM drops a stream. Header
// blocks are zlib-compressed with one context per direction for the whole connection, so they are
// inflated and deflated strictly in frame order. spdystream does no flow control (it ignores
// WINDOW_UPDATE and never sends one), so neither does this end; backpressure is the transport's.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.ts';
import { dataFrames, decodeHeaderBlock, encodeHeaderBlock, FrameReader, goAwayFrame, pingFrame, rstStreamFrame, synReplyFrame, type Frame } from './frames.ts';

const MAX_HEADER_BYTES = 64 * 1024;

export interface SpdyStreamEvents {
  data: [Buffer];
  /** The client half-closed the stream (FIN): no more data from it. */
  end: [];
  /** The client reset the stream, or the connection went away. */
  reset: [];
}

/** One client-opened stream. */
export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  readonly id: number;
  readonly headers: Record<string, string>;
  remoteClosed = false;
  localClosed = false;
  private readonly session: SpdyServerSession;

  constructor(session: SpdyServerSession, id: number, headers: Record<string, string>) {
    super();
    this.session = session;
    this.id = id;
    this.headers = headers;
  }

  /** Sends data; whether the transport took it without buffering (false: wait for 'drain' on the session). */
  write(data: Buffer): boolean {
    if (this.localClosed || data.length === 0) return true;
    return this.session.send(dataFrames(this.id, data, false));
  }

  /** Half-closes this end (a DATA frame with FIN). */
  end(): void {
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.send(dataFrames(this.id, Buffer.alloc(0), true));
    this.session.forgetIfDone(this);
  }

  reset(status: number): void {
    this.localClosed = this.remoteClosed = true;
    this.session.send([rstStreamFrame(this.id, status)]);
    this.session.forgetIfDone(this);
  }
}

export interface SessionEvents {
  stream: [SpdyStream];
  drain: [];
  close: [];
}

export class SpdyServerSession extends EventEmitter<SessionEvents> {
  private readonly transport: Duplex;
  private readonly reader = new FrameReader();
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames are handled one at a time, in order (header inflation is asynchronous). */
  private incoming: Promise<void> = Promise.resolve();
  /** Frames go out in order (a SYN_REPLY waits for its deflated headers). */
  private outgoing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;

  private readonly log: (message: string) => void;

  constructor(transport: Duplex, log: (message: string) => void) {
    super();
    this.transport = transport;
    this.log = log;
    this.inflate.on('error', (err) => this.fail(`header decompression: ${err.message}`));
    this.deflate.on('error', (err) => this.fail(`header compression: ${err.message}`));
    transport.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = this.reader.push(chunk);
      } catch (err) {
        this.fail((err as Error).message);
        return;
      }
      for (const f of frames) this.incoming = this.incoming.then(() => this.handle(f)).catch((err: Error) => this.fail(err.message));
    });
    transport.on('drain', () => this.emit('drain'));
    transport.on('error', () => this.close());
    transport.on('close', () => this.close());
    transport.on('end', () => this.close());
  }

  /** Pauses or resumes reading from the client (backpressure from a slow destination). */
  pause(): void {
    this.transport.pause();
  }
  resume(): void {
    this.transport.resume();
  }

  /** Queues whole frames behind any reply still being compressed; false when the transport is buffering. */
  send(frames: Buffer[]): boolean {
    if (this.closed) return true;
    this.outgoing = this.outgoing.then(() => {
      if (!this.closed) for (const f of frames) this.transport.write(f);
    });
    return this.transport.writableNeedDrain !== true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) {
      s.remoteClosed = s.localClosed = true;
      s.emit('reset');
    }
    this.streams.clear();
    this.inflate.destroy();
    this.deflate.destroy();
    this.transport.destroy();
    this.emit('close');
  }

  /** Resolves once every frame read so far is handled (or dropped, the session being closed). */
  settled(): Promise<void> {
    return this.incoming;
  }

  forgetIfDone(s: SpdyStream): void {
    if (s.localClosed && s.remoteClosed) this.streams.delete(s.id);
  }

  private fail(message: string): void {
    if (this.closed) return;
    this.log(`SPDY connection closed: ${message}`);
    this.transport.write(goAwayFrame(this.lastStreamId, 1));
    this.close();
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closed) return;
    switch (f.kind) {
      case 'synStream': {
        const headers = decodeHeaderBlock(await this.zlib(this.inflate, f.headerBlock));
        // The connection may have closed while the headers were being (de)compressed (here and
        // below): a closed session announces nothing more, or a listener would start work (a
        // timer) for a stream that can never be served or reset.
        if (this.closed) return;
        // Stream ids from the client are odd and increase; anything else is refused.
        if (f.streamId % 2 === 0 || f.streamId <= this.lastStreamId) {
          this.send([rstStreamFrame(f.streamId, 1)]);
          return;
        }
        this.lastStreamId = f.streamId;
        const stream = new SpdyStream(this, f.streamId, headers);
        stream.remoteClosed = f.fin;
        this.streams.set(f.streamId, stream);
        const reply = synReplyFrame(f.streamId, await this.zlib(this.deflate, encodeHeaderBlock({})));
        if (this.closed) return;
        this.send([reply]);
        this.emit('stream', stream);
        return;
      }
      case 'synReply':
      case 'headers':
        // The server opens no streams; extra headers carry nothing port-forward uses. Inflate
        // anyway: the decompression context must see every header block.
        await this.zlib(this.inflate, f.headerBlock);
        return;
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s || s.remoteClosed) return;
        if (f.data.length > 0) s.emit('data', f.data);
        if (f.fin) {
          s.remoteClosed = true;
          s.emit('end');
          this.forgetIfDone(s);
        }
        return;
      }
      case 'rstStream': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.remoteClosed = s.localClosed = true;
        this.streams.delete(f.streamId);
        s.emit('reset');
        return;
      }
      case 'ping':
        // The client's pings (odd ids) are echoed; the server sends none.
        if (f.id % 2 === 1) this.send([pingFrame(f.id)]);
        return;
      case 'goAway':
        this.close();
        return;
      case 'ignored':
        return;
    }
  }

  /** Runs one header block through a connection-wide zlib context (SYNC_FLUSH at its end). */
  private zlib(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (c: Buffer) => {
        size += c.length;
        if (size <= MAX_HEADER_BYTES) chunks.push(c);
      };
      z.on('data', onData);
      z.write(input);
      z.flush(zc.Z_SYNC_FLUSH, () => {
        z.off('data', onData);
        if (size > MAX_HEADER_BYTES) reject(new Error(`header block of more than ${MAX_HEADER_BYTES} bytes`));
        else resolve(Buffer.concat(chunks));
      });
    });
  }
}
