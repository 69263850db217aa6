import { resolveIntOrPercent } from './int-or-percent.ts';

test('int or percent: percentages rounded as asked', () => {
  expect(resolveIntOrPercent('25%', 10, true)).toBe(3);
  expect(resolveIntOrPercent('25%', 10, false)).toBe(2);
  expect(resolveIntOrPercent(4, 10, true)).toBe(4);
  expect(resolveIntOrPercent(undefined, 10, true)).toBe(0);
  expect(() => resolveIntOrPercent('x', 10, true)).toThrow();
});
