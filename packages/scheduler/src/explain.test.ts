import { ExplanationStore, formatExplanation, renderExplanation, type Explanation } from './explain.ts';

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

describe('formatExplanation', () => {
  test('a table of scored nodes, best first, then rejected nodes', () => {
    const e = explanation('default/web-1', 2);
    e.rejected.push({ node: 'gpu', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] });
    e.nodesInCluster = 3;
    e.nodesEvaluated = 3;
    expect(formatExplanation(renderExplanation(e))).toBe(
      [
        'Pod default/web-1: Scheduled to n0 at 2026-01-01T00:00:00.000Z (3 of 3 nodes evaluated)',
        '',
        'NODE  TOTAL  A(x1)  B(x2)',
        'n0    200    100    50',
        'n1    199    99     50',
        '',
        'NODE  REJECTED BY      REASON',
        'gpu   TaintToleration  node(s) had untolerated taint {dedicated: gpu}',
        '',
      ].join('\n'),
    );
  });
});
