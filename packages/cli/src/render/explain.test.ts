import { formatExplanation } from './explain.ts';

test('shows the choice, every score and every rejection', () => {
  const text = formatExplanation({
    pod: 'default/web-1',
    time: '2026-11-28T12:00:00Z',
    result: 'Scheduled',
    node: 'node-2',
    nodesInCluster: 3,
    nodesEvaluated: 3,
    plugins: [{ name: 'NodeResourcesFit', weight: 1 }, { name: 'BalancedAllocation', weight: 1 }],
    scored: [
      { node: 'node-2', total: 180, scores: { NodeResourcesFit: 90, BalancedAllocation: 90 } },
      { node: 'node-1', total: 150.5, scores: { NodeResourcesFit: 60, BalancedAllocation: 90 } },
    ],
    rejected: [{ node: 'node-3', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] }],
  });
  expect(text).toContain('Pod default/web-1: scheduled on node-2');
  expect(text).toMatch(/NODE\s+TOTAL\s+NodeResourcesFit \(x1\)\s+BalancedAllocation \(x1\)/);
  expect(text).toMatch(/\* node-2\s+180\s+90\s+90/);
  expect(text).toMatch(/ {2}node-1\s+150\.5\s+60\s+90/);
  expect(text).toMatch(/node-3\s+TaintToleration\s+node\(s\) had untolerated taint \{dedicated: gpu\}/);
});
