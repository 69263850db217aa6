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

/**
 * Demultiplexes a live stream into two readable streams that end when the source ends. Honours
 * backpressure: while a reader is behind (its buffer past the high-water mark), the source is
 * paused, so a slow reader never makes this side buffer without bound.
 */
export function demuxStream(source: Readable): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  demuxInto(source, (stream) => (stream === 2 ? stderr : stdout), [stdout, stderr]);
  return { stdout, stderr };
}

/** Both streams' payloads, in order, in one readable stream (logs), with the same backpressure. */
export function demuxMerged(source: Readable): PassThrough {
  const out = new PassThrough();
  demuxInto(source, () => out, [out]);
  return out;
}

function demuxInto(source: Readable, targetOf: (stream: 1 | 2) => PassThrough, targets: PassThrough[]): void {
  let pending: Buffer = Buffer.alloc(0);
  const resume = () => {
    if (targets.every((t) => !t.writableNeedDrain)) source.resume();
  };
  for (const t of targets) {
    t.on('drain', resume);
    // A reader that goes away stops the source too (nothing would ever drain it).
    t.on('close', () => source.destroy());
  }
  source.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let full = false;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      const target = targetOf(pending[0] === 2 ? 2 : 1);
      if (!target.write(pending.subarray(8, 8 + size))) full = true;
      pending = pending.subarray(8 + size);
    }
    if (full) source.pause();
  });
  const end = () => {
    for (const t of targets) t.end();
  };
  source.on('end', end);
  source.on('close', end);
  source.on('error', end);
}
