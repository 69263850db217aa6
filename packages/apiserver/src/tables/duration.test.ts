import { ageSince, humanDuration } from './duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration (apimachinery HumanDuration)', () => {
  it.each([
    [-3 * s, '<invalid>'],
    [-1.5 * s, '0s'],
    [-500, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [5.9 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 20 * m, '3h20m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [3 * 365 * d + 120 * d, '3y120d'],
    [8 * 365 * d + 10 * d, '8y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('ageSince', () => {
  const now = Date.parse('2025-01-02T03:04:05Z');
  it('is <unknown> without a timestamp', () => {
    expect(ageSince(undefined, now)).toBe('<unknown>');
    expect(ageSince('', now)).toBe('<unknown>');
    expect(ageSince('not a time', now)).toBe('<unknown>');
  });
  it('measures from an RFC 3339 timestamp', () => {
    expect(ageSince('2025-01-02T03:01:03Z', now)).toBe('3m2s');
    expect(ageSince('2024-12-31T00:04:05Z', now)).toBe('2d3h');
  });
});
