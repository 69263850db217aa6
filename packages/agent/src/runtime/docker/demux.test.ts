import { PassThrough } from 'node:stream';
import { demuxBuffer, demuxStream } from './demux.ts';

const frame = (stream: number, text: string) => {
  const data = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
};

test('demuxBuffer splits frames in order', () => {
  const parts = demuxBuffer(Buffer.concat([frame(1, 'out1\n'), frame(2, 'err\n'), frame(1, 'out2\n')]));
  expect(parts.map((p) => [p.stream, p.data.toString()])).toEqual([[1, 'out1\n'], [2, 'err\n'], [1, 'out2\n']]);
});

test('demuxStream copes with frames split across chunks', async () => {
  const src = new PassThrough();
  const { stdout, stderr } = demuxStream(src);
  const all = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world')]);
  for (let i = 0; i < all.length; i += 3) src.write(all.subarray(i, i + 3));
  src.end();
  const read = async (s: PassThrough) => {
    let t = '';
    for await (const c of s) t += c.toString();
    return t;
  };
  expect(await read(stdout)).toBe('hello world');
  expect(await read(stderr)).toBe('oops');
});
