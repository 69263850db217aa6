// Preemption as a pure plan: which node, which victims, and when not at all.
import { computePlacement } from './pipeline.ts';
import { computePreemption, pickPlan, resolvableByPreemption } from './preemption.ts';
import { buildProfile } from './profile.ts';
import { defaultConfig } from './config.ts';
import { makePod, nodeInfo, podInfo } from './testing/fixtures.ts';
import type { PodInfo } from './model/pod-info.ts';
import type { NodeInfo } from './model/node-info.ts';
import type { Pod } from './model/types.ts';
import type { KubeObject } from '@skiff/api';

const profile = buildProfile(defaultConfig());

function plan(pod: PodInfo, nodes: NodeInfo[], budgets: KubeObject[] = []) {
  const placement = computePlacement({ pod, nodes, profile, percentageOfNodesToScore: 0, startIndex: 0, random: () => 0 });
  expect(placement.node).toBeUndefined();
  const p = computePreemption({ pod, nodes, filters: profile.filters, rejected: placement.explanation.rejected, budgets });
  return p && { node: p.node, victims: p.victims.map((v) => v.pod.metadata.name), budgetViolations: p.budgetViolations };
}

const pod = (name: string, priority: number, cpu = '1', extra: Partial<Pod['spec']> = {}) => makePod(name, { cpu, priority, spec: extra });

describe('computePreemption', () => {
  test('evicts the fewest, least important pods that make room', () => {
    const nodes = [
      nodeInfo('a', { cpu: '2' }, [pod('a-low', 10), pod('a-mid', 50)]),
      nodeInfo('b', { cpu: '2' }, [pod('b-low1', 10), pod('b-low2', 10)]),
    ];
    // 1 cpu: on a, only a-low must go (highest victim 10); on b one of the two lows (10) too —
    // tie on the highest victim and the sum; fewest victims tie; the first candidate wins.
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes)).toEqual({ node: 'a', victims: ['a-low'], budgetViolations: 0 });
    // 2 cpus: a needs a-mid too (highest 50); b's two lows (highest 10) win.
    expect(plan(podInfo('vip', { cpu: '2', priority: 100 }), nodes)).toEqual({ node: 'b', victims: ['b-low1', 'b-low2'], budgetViolations: 0 });
  });

  test('never pods of equal or higher priority; nothing when that is all there is', () => {
    const nodes = [nodeInfo('a', { cpu: '1' }, [pod('peer', 100)])];
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes)).toBeUndefined();
  });

  test("preemptionPolicy Never, and rejections eviction cannot lift (taints, selectors), preempt nothing", () => {
    const full = [nodeInfo('a', { cpu: '1' }, [pod('low', 0)])];
    expect(plan(podInfo('polite', { cpu: '1', priority: 100, spec: { preemptionPolicy: 'Never' } }), full)).toBeUndefined();
    const tainted = [nodeInfo('a', { cpu: '1', taints: [{ key: 'x', effect: 'NoSchedule' }] }, [pod('low', 0)])];
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), tainted)).toBeUndefined();
    expect(resolvableByPreemption({ node: 'a', plugin: 'NodeAffinity', reasons: [] })).toBe(false);
    expect(resolvableByPreemption({ node: 'a', plugin: 'NodePorts', reasons: [] })).toBe(true);
  });

  test('a pod whose earlier victims are still leaving its nominated node does not preempt again', () => {
    const leaving = { ...pod('low', 0), metadata: { ...pod('low', 0).metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const nodes = [nodeInfo('a', { cpu: '2' }, [leaving, pod('low2', 0)])];
    const vip = podInfo('vip', { cpu: '1', priority: 100 });
    const placement = computePlacement({ pod: vip, nodes, profile, percentageOfNodesToScore: 0, startIndex: 0, random: () => 0 });
    expect(computePreemption({ pod: vip, nodes, filters: profile.filters, rejected: placement.explanation.rejected, nominatedNode: 'a' })).toBeUndefined();
    expect(computePreemption({ pod: vip, nodes, filters: profile.filters, rejected: placement.explanation.rejected })?.victims.map((v) => v.key)).toEqual(['default/low2']);
  });

  test('anti-affinity: evicting the lower-priority pod that repels this one', () => {
    const anti = { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } } };
    const nodes = [nodeInfo('a', {}, [makePod('old-db', { priority: 0, labels: { app: 'db' } }), makePod('other', { priority: 0 })])];
    const vip = podInfo('new-db', { priority: 100, labels: { app: 'db' }, spec: anti as Partial<Pod['spec']> });
    expect(plan(vip, nodes)).toEqual({ node: 'a', victims: ['old-db'], budgetViolations: 0 });
  });
});

describe('disruption budgets', () => {
  const budget = (name: string, app: string, disruptionsAllowed: number, disruptedPods?: Record<string, string>): KubeObject => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: 'default' },
    spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    status: { disruptionsAllowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, ...(disruptedPods ? { disruptedPods } : {}) },
  });
  const low = (name: string, app: string, priority = 10) => makePod(name, { cpu: '1', priority, labels: { app } });

  test('among candidates, the node whose victims break no budget wins, before priorities', () => {
    // On a the victim is cheaper (priority 5) but its budget allows nothing; b's victim (10) is free.
    const nodes = [nodeInfo('a', { cpu: '1' }, [low('guarded', 'db', 5)]), nodeInfo('b', { cpu: '1' }, [low('free', 'web', 10)])];
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes, [budget('db', 'db', 0), budget('web', 'web', 1)])).toEqual({ node: 'b', victims: ['free'], budgetViolations: 0 });
    // Without budgets the cheaper victim wins.
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes)).toEqual({ node: 'a', victims: ['guarded'], budgetViolations: 0 });
  });

  test('on one node, pods a budget protects are spared when others make room; when only they can, the plan counts the violation', () => {
    const nodes = [nodeInfo('a', { cpu: '2' }, [low('guarded', 'db', 1), low('other', 'web', 20)])];
    // The budget-protected pod has the lower priority, yet the other one goes.
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes, [budget('db', 'db', 0)])).toEqual({ node: 'a', victims: ['other'], budgetViolations: 0 });
    expect(plan(podInfo('vip', { cpu: '2', priority: 100 }), nodes, [budget('db', 'db', 0)])).toEqual({ node: 'a', victims: ['other', 'guarded'], budgetViolations: 1 });
    // An allowance of one covers one victim; a pod the API server already counted spends none.
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes, [budget('db', 'db', 1)])).toEqual({ node: 'a', victims: ['guarded'], budgetViolations: 0 });
    expect(plan(podInfo('vip', { cpu: '1', priority: 100 }), nodes, [budget('db', 'db', 0, { guarded: '2026-01-01T00:00:00Z' })])).toEqual({ node: 'a', victims: ['guarded'], budgetViolations: 0 });
  });
});

test('pickPlan prefers victims that started last when all else ties', () => {
  const started = (name: string, at: string) => podInfo(name, { priority: 1, createdAt: at });
  const early = { node: 'early', victims: [started('e', '2026-01-01T00:00:00Z')], budgetViolations: 0 };
  const late = { node: 'late', victims: [started('l', '2026-01-02T00:00:00Z')], budgetViolations: 0 };
  expect(pickPlan([early, late])?.node).toBe('late');
});
