// Docker multiplexes stdout and stderr of a non-TTY container into frames:
// [stream(1) 0 0 0 size(4, big-endian)] payload. These split them apart.
import { PassThrough, type Readable } from 'node:stream';

/** Splits a whole multiplexed buffer (non-follow logs) into its stdout and stderr bytes, in order. */
export function demuxBuffer(buf: Buffer): { stream: 1 | 2; data: Buffer }[] {
  const out: { stream: 1 | 2; data: Buffer }[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const stream = buf[i] === 2 ? 2 : 1;
    const size = buf.readUInt32BE(i + 4);
    out.push({ stream, data: buf.subarray(i + 8, i + 8 + size) });
    i += 8 + size;
  }
  return out;
}

/** Demultiplexes a live stream into two readable streams that end when the source ends. */
export function demuxStream(source: Readable): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let pending: Buffer = Buffer.alloc(0);
  source.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const target = pending[0] === 2 ? stderr : stdout;
      target.write(pending.subarray(8, 8 + size));
      pending = pending.subarray(8 + size);
    }
  });
  const end = () => {
    stdout.end();
    stderr.end();
  };
  source.on('end', end);
  source.on('close', end);
  source.on('error', end);
  return { stdout, stderr };
}
