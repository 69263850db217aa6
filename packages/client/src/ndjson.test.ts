import { NdjsonDecoder } from './ndjson.ts';

const events = [
  { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } },
  { type: 'MODIFIED', object: { metadata: { name: 'ünïcødé-✓', resourceVersion: '2' } } },
  { type: 'DELETED', object: { metadata: { name: 'c', resourceVersion: '3' } } },
];
const wire = events.map((e) => JSON.stringify(e) + '\n').join('');

describe('NdjsonDecoder', () => {
  test('several events in one chunk', () => {
    expect(new NdjsonDecoder().push(wire)).toEqual(events);
  });

  test('every split point of the stream gives the same events', () => {
    for (let i = 0; i <= wire.length; i++) {
      const d = new NdjsonDecoder();
      expect([...d.push(wire.slice(0, i)), ...d.push(wire.slice(i)), ...d.end()]).toEqual(events);
    }
  });

  test('one character at a time', () => {
    const d = new NdjsonDecoder();
    const out: unknown[] = [];
    for (const ch of wire) out.push(...d.push(ch));
    expect(out).toEqual(events);
  });

  test('a last line without newline is parsed at end; blank lines and CRLF are tolerated', () => {
    const d = new NdjsonDecoder();
    expect(d.push('\n{"a":1}\r\n\n{"b"')).toEqual([{ a: 1 }]);
    expect(d.push(':2}')).toEqual([]);
    expect(d.end()).toEqual([{ b: 2 }]);
  });

  test('a malformed line throws', () => {
    expect(() => new NdjsonDecoder().push('{nope}\n')).toThrow();
  });
});
