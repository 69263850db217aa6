import { milliCpu, parseQuantity, wholeUnits } from './quantity.ts';

describe('quantities', () => {
  test.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1k', 1000],
    ['1M', 1e6],
    ['2e3', 2000],
    ['.5', 0.5],
  ])('%s', (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));

  test('cpu rounds up to whole millicores', () => {
    expect(milliCpu('100m')).toBe(100);
    expect(milliCpu('0.0001')).toBe(1);
    expect(milliCpu('2')).toBe(2000);
    expect(milliCpu(undefined)).toBe(0);
  });

  test('memory in bytes', () => {
    expect(wholeUnits('200Mi')).toBe(200 * 2 ** 20);
    expect(wholeUnits(110)).toBe(110);
  });

  test('rejects garbage', () => {
    expect(() => parseQuantity('lots')).toThrow(/invalid quantity/);
    expect(() => parseQuantity('1Qi')).toThrow(/invalid quantity/);
  });
});
