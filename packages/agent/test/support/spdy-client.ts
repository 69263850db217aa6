// The client's side of a SPDY/3 connection, as the agent endpoint's tests write it: SYN_STREAM
// frames whose header blocks are compressed in one connection-wide zlib context (with the SPDY/3
// dictionary), as kubectl's client (moby/spdystream) does, so that a later block depends on the
// earlier ones. The server's side is src/endpoint/spdy/.
import { constants as zc, createDeflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../src/endpoint/spdy/dictionary.ts';
import { encodeHeaderBlock } from '../../src/endpoint/spdy/frames.ts';

export interface SpdyClientFrames {
  /** A SYN_STREAM (priority 0, no associated stream) carrying `headers`, FIN set when `fin`. */
  synStream(streamId: number, headers: Record<string, string>, fin?: boolean): Promise<Buffer>;
  /** Ends the compression context. */
  close(): void;
}

export function spdyClientFrames(): SpdyClientFrames {
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const compress = (headers: Record<string, string>) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer) => chunks.push(c);
      deflate.on('data', onData);
      deflate.write(encodeHeaderBlock(headers));
      deflate.flush(zc.Z_SYNC_FLUSH, () => {
        deflate.off('data', onData);
        resolve(Buffer.concat(chunks));
      });
    });
  return {
    async synStream(streamId, headers, fin = false) {
      const block = await compress(headers);
      // Control bit, version 3, type 1; flags and a 24-bit length; stream id; associated stream id (0); priority and slot (0).
      const head = Buffer.alloc(18);
      head.writeUInt16BE(0x8003, 0);
      head.writeUInt16BE(1, 2);
      head.writeUInt32BE(10 + block.length, 4);
      head[4] = fin ? 1 : 0;
      head.writeUInt32BE(streamId >>> 0, 8);
      return Buffer.concat([head, block]);
    },
    close: () => deflate.destroy(),
  };
}
