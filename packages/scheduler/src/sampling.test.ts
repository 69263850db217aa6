import { numFeasibleNodesToFind } from './sampling.ts';

describe('percentageOfNodesToScore', () => {
  test.each([
    [0, 0],
    [50, 50],
    [99, 99], // every node under 100
    [100, 100], // 50 - 0 = 50% of 100 is 50, but never fewer than 100
    [1000, 420], // 50 - 8 = 42%
    [5000, 500], // 50 - 40 = 10%
    [6000, 300], // 50 - 48 = 2% -> 5%
    [1500, 570], // 50 - 12 = 38%
  ])('adaptive: %i nodes -> %i', (n, want) => expect(numFeasibleNodesToFind(n, 0)).toBe(want));

  test('a configured percentage replaces the adaptive one', () => {
    expect(numFeasibleNodesToFind(1000, 30)).toBe(300);
    expect(numFeasibleNodesToFind(1000, 5)).toBe(100); // at least 100
    expect(numFeasibleNodesToFind(1000, 100)).toBe(1000);
  });
});
