import { EMPTY_TALLY, tally } from './thresholds.ts';

test('failure needs failureThreshold consecutive failures; success resets the count', () => {
  const s = { successThreshold: 1, failureThreshold: 3 };
  let t = tally(EMPTY_TALLY, true, s);
  expect(t.result).toBe(true);
  t = tally(tally(t, false, s), false, s);
  expect(t.result).toBe(true);
  t = tally(tally(t, true, s), false, s);
  expect(t).toMatchObject({ result: true, failures: 1 });
  t = tally(tally(tally(t, false, s), false, s), false, s);
  expect(t.result).toBe(false);
});

test('recovery needs successThreshold consecutive successes', () => {
  const s = { successThreshold: 2, failureThreshold: 1 };
  let t = tally(EMPTY_TALLY, false, s);
  expect(t.result).toBe(false);
  t = tally(t, true, s);
  expect(t.result).toBe(false);
  t = tally(t, true, s);
  expect(t.result).toBe(true);
});
