import { CronScheduleError, isKnownTimeZone, parseCronSchedule, parseGoDuration } from './cron.ts';

const at = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString();

test('five fields: the next activation strictly after a moment', () => {
  const s = parseCronSchedule('*/15 * * * *');
  expect(iso(s.next(at('2026-01-01T00:00:30Z')))).toBe('2026-01-01T00:15:00.000Z');
  // Exactly on an activation: the one after.
  expect(iso(s.next(at('2026-01-01T00:15:00Z')))).toBe('2026-01-01T00:30:00.000Z');
  expect(iso(s.next(at('2026-01-01T00:14:59.900Z')))).toBe('2026-01-01T00:15:00.000Z');
});

test('descriptors, @midnight and @every included', () => {
  expect(iso(parseCronSchedule('@hourly').next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T01:00:00.000Z');
  expect(iso(parseCronSchedule('@midnight').next(at('2026-01-01T10:00:00Z')))).toBe('2026-01-02T00:00:00.000Z');
  expect(iso(parseCronSchedule('@weekly').next(at('2026-01-01T10:00:00Z')))).toBe('2026-01-04T00:00:00.000Z');
  expect(iso(parseCronSchedule('@yearly').next(at('2026-01-01T10:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
  expect(iso(parseCronSchedule('@every 1h30m').next(at('2026-01-01T10:00:00.700Z')))).toBe('2026-01-01T11:30:00.000Z');
});

test('day of month and day of week are ORed when both are restricted; names are accepted', () => {
  const s = parseCronSchedule('0 0 13 * FRI');
  expect(iso(s.next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-02T00:00:00.000Z');
  expect(iso(parseCronSchedule('0 0 ? JAN MON').next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-05T00:00:00.000Z');
});

test('time zones: 09:00 in Berlin is 08:00 UTC in winter and 07:00 in summer', () => {
  const s = parseCronSchedule('0 9 * * *', 'Europe/Berlin');
  expect(iso(s.next(at('2026-01-01T00:00:00Z')))).toBe('2026-01-01T08:00:00.000Z');
  expect(iso(s.next(at('2026-07-01T00:00:00Z')))).toBe('2026-07-01T07:00:00.000Z');
  expect(isKnownTimeZone('America/New_York')).toBe(true);
  expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
});

test('what Kubernetes refuses is refused, with robfig wording', () => {
  expect(() => parseCronSchedule('* * * * * *')).toThrow('expected exactly 5 fields, found 6: [* * * * * *]');
  expect(() => parseCronSchedule('bad')).toThrow('expected exactly 5 fields, found 1: [bad]');
  expect(() => parseCronSchedule('@minutely')).toThrow('unrecognized descriptor: @minutely');
  expect(() => parseCronSchedule('61 * * * *')).toThrow(CronScheduleError);
  expect(() => parseCronSchedule('0 0 * * *', 'Mars/Olympus')).toThrow('unknown time zone Mars/Olympus');
  expect(() => parseCronSchedule('@every 1x')).toThrow('time: invalid duration "1x"');
});

test('Go durations', () => {
  expect(parseGoDuration('1h30m')).toBe(5_400_000);
  expect(parseGoDuration('1.5s')).toBe(1500);
  expect(parseGoDuration('250ms')).toBe(250);
  expect(() => parseGoDuration('')).toThrow();
});
