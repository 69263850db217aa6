import { resolveIntOrPercent } from './int-or-percent.ts';
import { matchesMapSelector, matchesSelector } from './selector.ts';

test('label selectors: matchLabels and every operator; nil matches nothing, {} everything', () => {
  const labels = { app: 'web', tier: 'fe' };
  expect(matchesSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
  expect(matchesSelector({ matchLabels: { app: 'db' } }, labels)).toBe(false);
  expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'be'] }] }, labels)).toBe(true);
  expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['fe'] }] }, labels)).toBe(false);
  expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  expect(matchesSelector({ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels)).toBe(false);
  expect(matchesSelector(undefined, labels)).toBe(false);
  expect(matchesSelector({}, labels)).toBe(true);
  expect(matchesMapSelector({}, labels)).toBe(false);
  expect(matchesMapSelector({ app: 'web' }, labels)).toBe(true);
});

test('int or percent: percentages rounded as asked', () => {
  expect(resolveIntOrPercent('25%', 10, true)).toBe(3);
  expect(resolveIntOrPercent('25%', 10, false)).toBe(2);
  expect(resolveIntOrPercent(4, 10, true)).toBe(4);
  expect(resolveIntOrPercent(undefined, 10, true)).toBe(0);
  expect(() => resolveIntOrPercent('x', 10, true)).toThrow();
});
