import { defaultConfig, parseConfig } from './config.ts';
import { buildProfile } from './profile.ts';

describe('config', () => {
  test('an empty file gives the documented defaults', () => {
    expect(parseConfig('')).toEqual(defaultConfig());
    expect(defaultConfig()).toMatchObject({
      percentageOfNodesToScore: 0,
      podInitialBackoffSeconds: 1,
      podMaxBackoffSeconds: 10,
      scoringStrategy: { type: 'LeastAllocated', resources: { cpu: 1, memory: 1 } },
      pluginWeights: { NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeAffinity: 2, TaintToleration: 3 },
    });
  });

  test('overrides weights, strategy and sampling', () => {
    const c = parseConfig(`
percentageOfNodesToScore: 20
scoringStrategy:
  type: MostAllocated
  resources:
    - name: cpu
      weight: 3
pluginWeights:
  PodTopologySpread: 0
  NodeResourcesFit: 5
`);
    expect(c.percentageOfNodesToScore).toBe(20);
    expect(c.scoringStrategy).toEqual({ type: 'MostAllocated', resources: { cpu: 3, memory: 0 } });
    expect(c.pluginWeights.NodeResourcesFit).toBe(5);
    const profile = buildProfile(c);
    expect(profile.scores.map((s) => [s.plugin.name, s.weight])).toEqual([
      ['NodeResourcesFit', 5],
      ['NodeResourcesBalancedAllocation', 1],
      ['InterPodAffinity', 2],
      ['NodeAffinity', 2],
      ['TaintToleration', 3],
    ]);
  });

  test.each([
    ['percentageOfNodesToScore: 150', /at most 100/],
    ['pluginWeights: { Nope: 1 }', /unknown score plugin Nope/],
    ['pluginWeights: { PodTopologySpread: -1 }', /non-negative/],
    ['scoringStrategy: { type: Random }', /LeastAllocated or MostAllocated/],
    ['scoringStrategy: { resources: [{ name: gpu }] }', /cpu or memory/],
    ['colour: blue', /unknown field colour/],
    ['podInitialBackoffSeconds: 20', /podMaxBackoffSeconds/],
  ])('rejects %s', (yaml, err) => expect(() => parseConfig(yaml)).toThrow(err));
});
