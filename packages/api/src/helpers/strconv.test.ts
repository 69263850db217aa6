import { parseBool, parseBoolError } from './strconv.ts';

describe('parseBool (Go strconv.ParseBool)', () => {
  it('reads the spellings Go accepts', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect([t, parseBool(t)]).toEqual([t, true]);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect([f, parseBool(f)]).toEqual([f, false]);
  });

  it('rejects everything else', () => {
    for (const x of ['', 'yes', 'no', 'tRUE', 'TrUe', ' true', '2', 'on']) expect([x, parseBool(x)]).toEqual([x, undefined]);
    expect(parseBoolError('yes')).toBe('strconv.ParseBool: parsing "yes": invalid syntax');
  });
});
