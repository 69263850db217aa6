// One describe per score plugin, with the formula worked through on small numbers.
import { CycleState, type Plugin } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';
import { makePod, nodeInfo, podInfo } from '../testing/fixtures.ts';
import { balancedAllocation } from './balanced-allocation.ts';
import { nodeAffinity } from './node-affinity.ts';
import { computeAllocationScore } from './node-resources-fit.ts';
import { podTopologySpread } from './pod-topology-spread.ts';
import { taintToleration } from './taint-toleration.ts';

/** Raw scores, normalized the way the pipeline does it (every node feasible). */
function scores(plugin: Plugin, pod: PodInfo, nodes: NodeInfo[]): number[] {
  const ctx = new CycleState();
  plugin.preScore?.(ctx, pod, nodes, nodes);
  const raw = Float64Array.from(nodes.map((n) => plugin.score!(ctx, pod, n)));
  plugin.normalize?.(ctx, pod, raw);
  return [...raw];
}

describe('NodeResourcesFit score', () => {
  // 4 cores / 8Gi node already running 1 core / 2Gi; the pod asks 1 core / 2Gi.
  const node = nodeInfo('n', { cpu: '4', memory: '8Gi' }, [makePod('a', { cpu: '1', memory: '2Gi' })]);
  const pod = podInfo('p', { cpu: '1', memory: '2Gi' });

  test('LeastAllocated: weighted mean of the free share', () => {
    expect(computeAllocationScore('LeastAllocated', { cpu: 1, memory: 1 }, pod, node)).toBe(50);
    // cpu 50 free, memory 50 free, whatever the weights
    const skewed = nodeInfo('n', { cpu: '4', memory: '8Gi' }, [makePod('a', { cpu: '3', memory: '0' })]);
    // cpu: (4000-4000)/4000 = 0; memory: (8Gi - 2Gi)/8Gi = 75
    expect(computeAllocationScore('LeastAllocated', { cpu: 1, memory: 1 }, pod, skewed)).toBe(37);
    expect(computeAllocationScore('LeastAllocated', { cpu: 3, memory: 1 }, pod, skewed)).toBe(18);
    expect(computeAllocationScore('LeastAllocated', { cpu: 0, memory: 1 }, pod, skewed)).toBe(75);
  });

  test('MostAllocated: the used share, to bin-pack', () => {
    expect(computeAllocationScore('MostAllocated', { cpu: 1, memory: 1 }, pod, node)).toBe(50);
    const empty = nodeInfo('e', { cpu: '4', memory: '8Gi' });
    expect(computeAllocationScore('MostAllocated', { cpu: 1, memory: 1 }, pod, empty)).toBe(25);
  });

  test('pods without requests count as 100m and 200Mi', () => {
    const empty = nodeInfo('e', { cpu: '1', memory: '1000Mi' });
    // cpu (1000-100)/1000 = 90, memory (1000-200)/1000 = 80
    expect(computeAllocationScore('LeastAllocated', { cpu: 1, memory: 1 }, podInfo('p'), empty)).toBe(85);
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  test('100 * (1 - |f_cpu - f_mem| / 2)', () => {
    const pod = podInfo('p', { cpu: '1', memory: '1Gi' });
    // cpu 1/4 = .25, memory 1/8 = .125 -> 1 - .0625 = 93.75
    expect(scores(balancedAllocation, pod, [nodeInfo('n', { cpu: '4', memory: '8Gi' })])).toEqual([93]);
    // equal fractions: perfectly balanced
    expect(scores(balancedAllocation, pod, [nodeInfo('n', { cpu: '4', memory: '4Gi' })])).toEqual([100]);
  });
});

describe('PodTopologySpread score, cluster defaults', () => {
  test('nodes with fewer pods of the same owner score higher (hostname maxSkew 3; no zone labels)', () => {
    const nodes = [
      nodeInfo('a', {}, [makePod('w1', { owner: 'web' }), makePod('w2', { owner: 'web' })]),
      nodeInfo('b', {}, [makePod('w3', { owner: 'web' }), makePod('o1', { owner: 'other' })]),
      nodeInfo('c', {}, [makePod('o2', { owner: 'other' })]),
    ];
    // raw: count * log(3 nodes + 2) + (3 - 1) = 5.2 -> 5, 3.6 -> 4, 2; normalized 100 * (max + min - s) / max
    expect(scores(podTopologySpread, podInfo('w4', { owner: 'web' }), nodes)).toEqual([40, 60, 100]);
  });

  test('bare pods have no group to spread: the score is skipped', () => {
    expect(podTopologySpread.preScore!(new CycleState(), podInfo('bare'), [nodeInfo('a')], [nodeInfo('a')])).toBe('Skip');
  });
});

describe('NodeAffinity score', () => {
  test('sums the weights of matching preferred terms, best node 100', () => {
    const pod = podInfo('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 30, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
              { weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
            ],
          },
        },
      },
    });
    const nodes = [
      nodeInfo('both', { labels: { zone: 'a', disk: 'ssd' } }),
      nodeInfo('zone', { labels: { zone: 'a' } }),
      nodeInfo('none'),
    ];
    expect(scores(nodeAffinity, pod, nodes)).toEqual([100, 75, 0]);
  });

  test('no preference: all zero', () => {
    expect(scores(nodeAffinity, podInfo('p'), [nodeInfo('a'), nodeInfo('b')])).toEqual([0, 0]);
  });
});

describe('TaintToleration score', () => {
  test('fewer untolerated PreferNoSchedule taints score higher', () => {
    const soft = (key: string) => ({ key, effect: 'PreferNoSchedule' as const });
    const nodes = [nodeInfo('clean'), nodeInfo('one', { taints: [soft('a')] }), nodeInfo('two', { taints: [soft('a'), soft('b')] })];
    expect(scores(taintToleration, podInfo('p'), nodes)).toEqual([100, 50, 0]);
    const tolerant = podInfo('p', { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } });
    expect(scores(taintToleration, tolerant, nodes)).toEqual([100, 100, 0]);
  });
});

describe('score pre-checks', () => {
  test('scores that would be equal on every node are skipped', () => {
    const ctx = new CycleState();
    expect(podTopologySpread.preScore!(ctx, podInfo('bare'), [], [])).toBe('Skip');
    expect(podTopologySpread.preScore!(new CycleState(), podInfo('w', { owner: 'web' }), [], [])).toBeUndefined();
    expect(nodeAffinity.preScore!(ctx, podInfo('p'), [], [])).toBe('Skip');
  });
});
