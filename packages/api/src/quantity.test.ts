import fc from 'fast-check';
import {
  addQuantity,
  canonicalQuantity,
  compareQuantity,
  formatQuantity,
  isValidQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  quantityFromMilli,
  roundUpToMilli,
  subtractQuantity,
  toBytes,
  toMilli,
} from './quantity.ts';
import { resolveFenceposts, resolveIntOrPercent } from './intorstr.ts';

describe('parseQuantity', () => {
  it.each([
    ['500m', 500],
    ['1.5', 1500],
    ['1', 1000],
    ['2e3', 2_000_000],
    ['100k', 100_000_000],
    ['0.1', 100],
    ['.5', 500],
    ['5.', 5000],
    ['-2', -2000],
    ['+3', 3000],
  ])('%s is %d milli', (s, milli) => {
    expect(toMilli(s)).toBe(milli);
  });

  it.each([
    ['128Mi', 128 * 1024 * 1024],
    ['1Ki', 1024],
    ['1G', 1e9],
    ['0.5Gi', 512 * 1024 * 1024],
    ['1E', 1e18],
    ['1Ei', 2 ** 60],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1n', 1],
  ])('%s is %d bytes (rounded up)', (s, bytes) => {
    expect(toBytes(s)).toBe(bytes);
  });

  it('accepts JSON numbers like Kubernetes does', () => {
    expect(canonicalQuantity(1)).toBe('1');
    expect(canonicalQuantity(0.25)).toBe('250m');
    expect(canonicalQuantity(1e21)).toBe('1e21');
  });

  it('rounds values finer than a nano-unit up', () => {
    expect(parseQuantity('0.0000000001').nano).toBe(1n);
    expect(parseQuantity('-0.0000000001').nano).toBe(-1n);
  });

  it.each(['', 'abc', '1.2.3', '1 Gi', 'Gi1', '1K', '1Mi2', '1e', '1x', '--1', '1e1000'])('rejects %j', (s) => {
    expect(isValidQuantity(s)).toBe(false);
    expect(() => parseQuantity(s)).toThrow();
  });

  it('uses the Kubernetes message for malformed strings', () => {
    expect(() => parseQuantity('abc')).toThrow(QUANTITY_FORMAT_ERROR);
  });
});

describe('formatQuantity', () => {
  it.each([
    ['1.5', '1500m'],
    ['0.5Gi', '512Mi'],
    ['1.5Gi', '1536Mi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['2e3', '2e3'],
    ['1.5e3', '1500'],
    ['1000', '1k'],
    ['12000', '12k'],
    ['1024', '1024'],
    ['1023Ki', '1023Ki'],
    ['1.1Ki', '1126400m'],
    ['512', '512'],
    ['0', '0'],
    ['0Mi', '0'],
    ['-0', '0'],
    ['100m', '100m'],
    ['0.1m', '100u'],
    ['1e-3', '1e-3'],
    ['10e-4', '1e-3'],
    ['-1.5', '-1500m'],
    ['1000E', '1e21'],
  ])('%s prints as %s', (input, out) => {
    expect(canonicalQuantity(input)).toBe(out);
  });

  it('round-trips canonical output', () => {
    const arb = fc.record({
      value: fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
      format: fc.constantFrom('DecimalSI' as const, 'BinarySI' as const, 'DecimalExponent' as const),
    });
    fc.assert(
      fc.property(arb, ({ value, format }) => {
        const q = { nano: value, format };
        const text = formatQuantity(q);
        const back = parseQuantity(text);
        expect(back.nano).toBe(value);
        expect(formatQuantity(back)).toBe(text);
      }),
    );
  });
});

describe('arithmetic', () => {
  it('compares across suffix families', () => {
    expect(compareQuantity('1Gi', '1G')).toBe(1);
    expect(compareQuantity('1000m', '1')).toBe(0);
    expect(compareQuantity('999m', '1')).toBe(-1);
  });

  it('adds exactly and keeps the first operand format', () => {
    expect(formatQuantity(addQuantity('100m', '200m'))).toBe('300m');
    expect(formatQuantity(addQuantity('512Mi', '512Mi'))).toBe('1Gi');
    expect(formatQuantity(addQuantity(quantityFromMilli(0), '1Gi'))).toBe('1Gi');
    expect(formatQuantity(subtractQuantity('1', '250m'))).toBe('750m');
  });

  it('rounds up to milli precision for defaulting', () => {
    expect(formatQuantity(roundUpToMilli(parseQuantity('0.1m')))).toBe('1m');
    expect(formatQuantity(roundUpToMilli(parseQuantity('1.0001')))).toBe('1001m');
  });
});

describe('resolveIntOrPercent', () => {
  it('resolves ints and percentages', () => {
    expect(resolveIntOrPercent(3, 10, true)).toBe(3);
    expect(resolveIntOrPercent('25%', 10, true)).toBe(3);
    expect(resolveIntOrPercent('25%', 10, false)).toBe(2);
    expect(resolveIntOrPercent('0%', 10, true)).toBe(0);
    expect(() => resolveIntOrPercent('abc', 10, true)).toThrow();
    expect(() => resolveIntOrPercent('5', 10, true)).toThrow();
  });

  it('never lets a rollout stall at 0/0', () => {
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(0, 0, 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
  });
});
