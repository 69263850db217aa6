import { parseMicroTime, toMicroTime } from './micro-time.ts';

test('MicroTime has six fractional digits and round-trips to the millisecond', () => {
  const ms = Date.UTC(2026, 0, 1, 0, 0, 0, 123);
  expect(toMicroTime(ms)).toBe('2026-01-01T00:00:00.123000Z');
  expect(parseMicroTime('2026-01-01T00:00:00.123456Z')).toBe(ms);
  expect(parseMicroTime('2026-01-01T00:00:00Z')).toBe(ms - 123);
  expect(parseMicroTime('2026-01-01T01:00:00.5+01:00')).toBe(ms - 123 + 500);
  expect(parseMicroTime('yesterday')).toBeNaN();
});
