import { ExplanationStore, renderExplanation, type Explanation } from './explain.ts';

function explanation(pod: string, nodes: number): Explanation {
  return {
    pod,
    time: '2026-01-01T00:00:00.000Z',
    result: 'Scheduled',
    node: 'n0',
    message: undefined,
    nodesInCluster: nodes,
    nodesEvaluated: nodes,
    rejected: [],
    plugins: [{ name: 'A', weight: 1 }, { name: 'B', weight: 2 }],
    scoredNodes: Array.from({ length: nodes }, (_, i) => `n${i}`),
    scores: [Uint8Array.from({ length: nodes }, (_, i) => 100 - i), Uint8Array.from({ length: nodes }, () => 50)],
    totals: Float64Array.from({ length: nodes }, (_, i) => 100 - i + 100),
  };
}

describe('ExplanationStore', () => {
  test('keeps the latest attempt per pod and drops the oldest past the budget', () => {
    const store = new ExplanationStore(25);
    store.record(explanation('a', 10));
    store.record(explanation('b', 10));
    expect(store.get('a')).toBeDefined();
    store.record(explanation('c', 10)); // 33 > 25: a goes
    expect(store.get('a')).toBeUndefined();
    expect(store.get('b')).toBeDefined();
    store.record(explanation('b', 3)); // re-recorded: the old one's cost is returned
    expect(store.get('b')!.scoredNodes).toHaveLength(3);
    expect(store.get('c')).toBeDefined();
    store.record(explanation('huge', 100)); // bigger than the budget: kept alone
    expect(store.get('huge')).toBeDefined();
    expect(store.get('c')).toBeUndefined();
  });
});

describe('renderExplanation', () => {
  test('best first; the chosen node leads its tie', () => {
    const e = explanation('default/web-1', 3);
    e.totals = Float64Array.from([150, 180, 180]);
    e.node = 'n2';
    expect(renderExplanation(e).scored.map((s) => [s.node, s.total])).toEqual([['n2', 180], ['n1', 180], ['n0', 150]]);
    expect(renderExplanation(e).scored[0].scores).toEqual({ A: 98, B: 50 });
  });
});
