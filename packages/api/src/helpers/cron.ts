// CronJob schedules, read as Kubernetes reads them (robfig/cron's ParseStandard): five fields
// (minute hour day-of-month month day-of-week, names and `?` allowed, day-of-month and
// day-of-week ORed when both are restricted), the descriptors @yearly @annually @monthly @weekly
// @daily @midnight @hourly, and `@every <duration>`; evaluated in an IANA time zone.
//
// The field arithmetic is cron-parser's (a well-kept parser with time-zone support); this file
// only narrows it to what Kubernetes accepts (no seconds field, none of cron-parser's extra
// descriptors) and adds the two descriptors it lacks (@midnight, @every).
import { CronExpressionParser } from 'cron-parser';

/** A parsed schedule: the first activation strictly after a moment (ms since the epoch). */
export interface CronSchedule {
  next(afterMs: number): number;
}

export class CronScheduleError extends Error {}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration for the forms `@every` takes (`1h30m`, `90s`, `1.5h`), in ms. */
export function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new CronScheduleError(`time: invalid duration ${JSON.stringify(s)}`);
  let total = 0;
  re.lastIndex = 0;
  while (re.lastIndex < rest.length) {
    const m = re.exec(rest);
    if (!m) throw new CronScheduleError(`time: invalid duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * UNITS[m[2]];
  }
  return sign * total;
}

/** Whether `tz` names a time zone this runtime knows (IANA names; `UTC`). */
export function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses `schedule` for `timeZone` (UTC when absent). Throws CronScheduleError with robfig's
 * wording where it has one, so validation messages read as Kubernetes' do.
 */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule {
  const tz = timeZone ?? 'UTC';
  if (!isKnownTimeZone(tz)) throw new CronScheduleError(`unknown time zone ${tz}`);
  const spec = schedule.trim();
  if (spec.startsWith('@every ')) {
    let every = parseGoDuration(spec.slice('@every '.length).trim());
    if (every < 1000) every = 1000;
    // robfig's ConstantDelaySchedule: the delay counted from the activation, rounded down to the second.
    return { next: (after) => Math.floor(after / 1000) * 1000 + Math.floor(every / 1000) * 1000 };
  }
  let expr: string;
  if (spec.startsWith('@')) {
    const d = DESCRIPTORS[spec];
    if (!d) throw new CronScheduleError(`unrecognized descriptor: ${spec}`);
    expr = d;
  } else {
    const fields = spec.split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 5) throw new CronScheduleError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    expr = fields.join(' ');
  }
  try {
    // Parsed once here, so that a bad field fails now rather than on first use.
    CronExpressionParser.parse(expr, { tz, currentDate: new Date(0) });
  } catch (err) {
    throw new CronScheduleError((err as Error).message);
  }
  return {
    next(after) {
      // cron-parser's next() is strictly after currentDate at minute granularity; start at the
      // second so that sub-second remainders never yield the same minute again.
      const from = Math.floor(after / 1000) * 1000;
      return CronExpressionParser.parse(expr, { tz, currentDate: new Date(from) }).next().getTime();
    },
  };
}
