import { defaultConfig } from './config.ts';
import { renderExplanation } from './explain.ts';
import { computePlacement, type PlacementInput } from './pipeline.ts';
import { buildProfile } from './profile.ts';
import { makePod, nodeInfo, podInfo } from './testing/fixtures.ts';

const profile = buildProfile(defaultConfig());

function place(over: Partial<PlacementInput> & Pick<PlacementInput, 'pod' | 'nodes'>) {
  return computePlacement({ profile, percentageOfNodesToScore: 0, startIndex: 0, random: Math.random, ...over });
}

describe('computePlacement', () => {
  test('picks the node with the most free resources', () => {
    const nodes = [
      nodeInfo('busy', { cpu: '4' }, [makePod('a', { cpu: '3' })]),
      nodeInfo('idle', { cpu: '4' }),
    ];
    const r = place({ pod: podInfo('p', { cpu: '500m' }), nodes });
    expect(r.node).toBe('idle');
    expect(r.message).toBeUndefined();
    expect(r.explanation.result).toBe('Scheduled');
  });

  test('unschedulable: the kubectl message and every node in the explanation', () => {
    const nodes = [
      nodeInfo('n1', { cpu: '1' }),
      nodeInfo('n2', { cpu: '1' }),
      nodeInfo('n3', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ];
    const r = place({ pod: podInfo('p', { cpu: '2' }), nodes });
    expect(r.node).toBeUndefined();
    expect(r.message).toBe('0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.');
    const e = renderExplanation(r.explanation);
    expect(e.result).toBe('Unschedulable');
    expect(e.rejected).toEqual([
      { node: 'n1', plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu'] },
      { node: 'n2', plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu'] },
      { node: 'n3', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] },
    ]);
  });

  test('the explanation keeps each plugin score of each node, best first', () => {
    const nodes = [nodeInfo('a', { cpu: '4' }, [makePod('x', { cpu: '2' })]), nodeInfo('b', { cpu: '4' })];
    const e = renderExplanation(place({ pod: podInfo('p', { cpu: '1' }), nodes }).explanation);
    expect(e.scored.map((s) => s.node)).toEqual(['b', 'a']);
    // A bare pod without preferences: PodTopologySpread, InterPodAffinity and NodeAffinity have nothing to score.
    expect(Object.keys(e.scored[0].scores)).toEqual(['NodeResourcesFit', 'NodeResourcesBalancedAllocation', 'TaintToleration']);
    const s = e.scored[0];
    expect(s.total).toBe(e.plugins.reduce((sum, p) => sum + p.weight * (s.scores[p.name] ?? 0), 0));

    const owned = podInfo('q', {
      cpu: '1',
      owner: 'rs',
      spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } }] } } },
    });
    const all = renderExplanation(place({ pod: owned, nodes }).explanation);
    expect(Object.keys(all.scored[0].scores)).toEqual(['NodeResourcesFit', 'NodeResourcesBalancedAllocation', 'PodTopologySpread', 'NodeAffinity', 'TaintToleration']);
  });

  test('ties go to a uniformly random node among the best', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => nodeInfo(n));
    const counts = new Map<string, number>();
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 4000; i++) {
      const n = place({ pod: podInfo('p'), nodes, random }).node!;
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const c of counts.values()) expect(c).toBeGreaterThan(850);
  });

  test('on large clusters, filters only until enough feasible nodes, from a rotating start', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => nodeInfo(`n${i}`));
    const first = place({ pod: podInfo('p'), nodes, startIndex: 990 });
    expect(first.explanation.nodesEvaluated).toBe(420);
    expect(first.explanation.scoredNodes[0]).toBe('n990');
    expect(first.explanation.scoredNodes[10]).toBe('n0'); // wrapped around
    expect(first.nextStartIndex).toBe((990 + 420) % 1000);
    const all = place({ pod: podInfo('p'), nodes, percentageOfNodesToScore: 100 });
    expect(all.explanation.nodesEvaluated).toBe(1000);
  });

  test('an unschedulable pod on a large cluster is checked against every node', () => {
    const nodes = Array.from({ length: 500 }, (_, i) => nodeInfo(`n${i}`, { cpu: '1' }));
    const r = place({ pod: podInfo('p', { cpu: '2' }), nodes });
    expect(r.explanation.nodesEvaluated).toBe(500);
    expect(r.message).toBe('0/500 nodes are available: 500 Insufficient cpu.');
  });

  test('no nodes', () => {
    expect(place({ pod: podInfo('p'), nodes: [] }).message).toBe('no nodes available to schedule pods');
  });
});

describe('the nominated node is held for the preemptor', () => {
  // n1 has 2 CPUs, 1 taken; a preemptor of priority 100 asking 1 CPU is nominated there while its victims leave.
  const nodes = () => [nodeInfo('n1', { cpu: '2' }, [makePod('victim', { cpu: '1', priority: 0 })])];
  const preemptor = podInfo('preemptor', { cpu: '1', priority: 100 });
  const nominated = new Map([['n1', new Map([[preemptor.key, preemptor]])]]);

  test('a pod of lower or equal priority does not take the room', () => {
    for (const priority of [0, 100]) {
      const r = place({ pod: podInfo(`p${priority}`, { cpu: '1', priority }), nodes: nodes(), nominated });
      expect(r.node).toBeUndefined();
      expect(r.explanation.rejected).toEqual([{ node: 'n1', plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu'] }]);
    }
    // Without the nomination it would have fitted.
    expect(place({ pod: podInfo('p0', { cpu: '1', priority: 0 }), nodes: nodes() }).node).toBe('n1');
  });

  test('a pod of higher priority, and the preemptor itself, see the room', () => {
    expect(place({ pod: podInfo('urgent', { cpu: '1', priority: 1000 }), nodes: nodes(), nominated }).node).toBe('n1');
    expect(place({ pod: preemptor, nodes: nodes(), nominated }).node).toBe('n1');
  });
});
