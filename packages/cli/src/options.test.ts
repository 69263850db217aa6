import { parsePort, parseWholeNumber } from './options.ts';

describe('option values', () => {
  test('a port is 0 to 65535, written in digits', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('6443')).toBe(6443);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['', ' ', '65536', '-1', '1e3', '0x50', ' 80', '80 ', '8.0', 'http', '123456']) {
      expect(() => parsePort(bad)).toThrow('not a port number (0 to 65535)');
    }
  });

  test('a whole number is 0 or more, written in digits, and exact', () => {
    expect(parseWholeNumber('0')).toBe(0);
    expect(parseWholeNumber('10000')).toBe(10_000);
    for (const bad of ['', '-1', '1.5', '1e3', '0x10', ' 2', 'many', '9007199254740993']) {
      expect(() => parseWholeNumber(bad)).toThrow('expected a whole number, 0 or more');
    }
  });
});
