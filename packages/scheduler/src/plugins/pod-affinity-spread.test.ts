// InterPodAffinity and PodTopologySpread: each rule of kube-scheduler's plugins on small clusters,
// through preFilter/filter and preScore/score/normalize as the pipeline calls them.
import { CycleState, type Plugin, type Status } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';
import type { Pod } from '../model/types.ts';
import { makePod, nodeInfo, podInfo, type NodeOptions } from '../testing/fixtures.ts';
import { AFFINITY_RULES, ANTI_AFFINITY_RULES, EXISTING_ANTI_AFFINITY, interPodAffinity } from './inter-pod-affinity.ts';
import { podTopologySpread, SPREAD_MISSING_LABEL, SPREAD_SKEW } from './pod-topology-spread.ts';

const ok = 'ok';
/** Each node's verdict: 'ok' or the rejection reason. */
function verdicts(plugin: Plugin, pod: PodInfo, nodes: NodeInfo[]): Record<string, string> {
  const ctx = new CycleState();
  if (plugin.preFilter?.(ctx, pod, nodes) === 'Skip') return Object.fromEntries(nodes.map((n) => [n.name, 'skipped']));
  return Object.fromEntries(nodes.map((n) => [n.name, ((s: Status) => (s.code === 'Success' ? ok : s.reasons.join(';')))(plugin.filter!(ctx, pod, n))]));
}
function scores(plugin: Plugin, pod: PodInfo, nodes: NodeInfo[]): Record<string, number> | 'skipped' {
  const ctx = new CycleState();
  if (plugin.preScore?.(ctx, pod, nodes, nodes) === 'Skip') return 'skipped';
  const raw = Float64Array.from(nodes.map((n) => plugin.score!(ctx, pod, n)));
  plugin.normalize?.(ctx, pod, raw);
  return Object.fromEntries(nodes.map((n, i) => [n.name, raw[i]]));
}

const zoned = (name: string, zone: string | undefined, pods: Pod[] = [], o: NodeOptions = {}) => nodeInfo(name, { ...o, labels: { ...(zone ? { zone } : {}), ...o.labels } }, pods);
const labelled = (name: string, labels: Record<string, string>, o: Parameters<typeof makePod>[1] = {}) => makePod(name, { ...o, labels });
const term = (labels: Record<string, string>, topologyKey: string, extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const withAffinity = (name: string, labels: Record<string, string>, affinity: Record<string, unknown>, namespace?: string) =>
  podInfo(name, { labels, namespace, spec: { affinity } as Partial<Pod['spec']> });

describe('InterPodAffinity filter', () => {
  const nsLabels: Record<string, Record<string, string>> = { 'team-a': { team: 'a' }, default: {} };
  const affinity = interPodAffinity((ns) => nsLabels[ns]);

  test('required anti-affinity by hostname keeps replicas apart', () => {
    const nodes = [zoned('a', 'z1', [labelled('web-1', { app: 'web' })]), zoned('b', 'z1')];
    const pod = withAffinity('web-2', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname')] } });
    expect(verdicts(affinity, pod, nodes)).toEqual({ a: ANTI_AFFINITY_RULES, b: ok });
  });

  test("a running pod's required anti-affinity keeps matching pods out of its whole domain", () => {
    const guard = labelled('guard', { app: 'guard' }, { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'zone')] } } } as Partial<Pod['spec']> });
    const nodes = [zoned('a', 'z1', [guard]), zoned('b', 'z1'), zoned('c', 'z2')];
    expect(verdicts(affinity, podInfo('db', { labels: { app: 'db' } }), nodes)).toEqual({ a: EXISTING_ANTI_AFFINITY, b: EXISTING_ANTI_AFFINITY, c: ok });
    // A pod no running pod's anti-affinity selects (and with no terms of its own): nothing to check.
    expect(verdicts(affinity, podInfo('web', { labels: { app: 'web' } }), nodes)).toEqual({ a: 'skipped', b: 'skipped', c: 'skipped' });
  });

  test('required affinity: only the domain of a matching pod, and never a node without the key', () => {
    const nodes = [zoned('a', 'z1', [labelled('cache', { app: 'cache' })]), zoned('b', 'z1'), zoned('c', 'z2'), zoned('d', undefined)];
    const pod = withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' }, 'zone')] } });
    expect(verdicts(affinity, pod, nodes)).toEqual({ a: ok, b: ok, c: AFFINITY_RULES, d: AFFINITY_RULES });
  });

  test('the first pod of a group that selects itself may go anywhere; one that does not, nowhere', () => {
    const nodes = [zoned('a', 'z1'), zoned('b', 'z2'), zoned('c', undefined)];
    const self = withAffinity('web-1', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'zone')] } });
    expect(verdicts(affinity, self, nodes)).toEqual({ a: ok, b: ok, c: AFFINITY_RULES });
    const other = withAffinity('web-1', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' }, 'zone')] } });
    expect(verdicts(affinity, other, nodes)).toEqual({ a: AFFINITY_RULES, b: AFFINITY_RULES, c: AFFINITY_RULES });
  });

  test("namespaces: the pod's own by default, those named, those a namespaceSelector picks, or all with {}", () => {
    const nodes = [zoned('a', 'z1', [labelled('cache', { app: 'cache' }, { namespace: 'team-a' })]), zoned('b', 'z2')];
    const wants = (extra: Record<string, unknown>) => withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'cache' }, 'zone', extra)] } });
    expect(verdicts(affinity, wants({}), nodes)).toEqual({ a: AFFINITY_RULES, b: AFFINITY_RULES });
    expect(verdicts(affinity, wants({ namespaces: ['team-a'] }), nodes)).toEqual({ a: ok, b: AFFINITY_RULES });
    expect(verdicts(affinity, wants({ namespaceSelector: { matchLabels: { team: 'a' } } }), nodes)).toEqual({ a: ok, b: AFFINITY_RULES });
    expect(verdicts(affinity, wants({ namespaceSelector: { matchLabels: { team: 'b' } } }), nodes)).toEqual({ a: AFFINITY_RULES, b: AFFINITY_RULES });
    expect(verdicts(affinity, wants({ namespaceSelector: {} }), nodes)).toEqual({ a: ok, b: AFFINITY_RULES });
  });

  test('matchLabelKeys narrows a term to pods with the same values (one version per node)', () => {
    const nodes = [zoned('a', 'z1', [labelled('web-v1', { app: 'web', version: '1' })]), zoned('b', 'z1', [labelled('web-v2', { app: 'web', version: '2' })])];
    const pod = withAffinity('web-v2b', { app: 'web', version: '2' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname', { matchLabelKeys: ['version'] })] } });
    expect(verdicts(affinity, pod, nodes)).toEqual({ a: ok, b: ANTI_AFFINITY_RULES });
  });
});

describe('InterPodAffinity score', () => {
  const affinity = interPodAffinity();

  test('preferred affinity draws the pod to the domain of matching pods, preferred anti-affinity away', () => {
    const nodes = [zoned('a', 'z1', [labelled('cache', { app: 'cache' })]), zoned('b', 'z1'), zoned('c', 'z2')];
    const near = withAffinity('web', { app: 'web' }, { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'cache' }, 'zone') }] } });
    expect(scores(affinity, near, nodes)).toEqual({ a: 100, b: 100, c: 0 });
    const far = withAffinity('web', { app: 'web' }, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'cache' }, 'zone') }] } });
    expect(scores(affinity, far, nodes)).toEqual({ a: 0, b: 0, c: 100 });
  });

  test("running pods' terms that select the pod count too (their required affinity with weight 1)", () => {
    const fan = labelled('fan', { app: 'fan' }, { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'web' }, 'kubernetes.io/hostname') }] } } } as Partial<Pod['spec']> });
    const nodes = [zoned('a', 'z1', [fan]), zoned('b', 'z1')];
    expect(scores(affinity, podInfo('web', { labels: { app: 'web' } }), nodes)).toEqual({ a: 100, b: 0 });
    expect(scores(affinity, podInfo('db', { labels: { app: 'db' } }), [zoned('x', 'z1')])).toBe('skipped');
  });
});

describe('PodTopologySpread filter', () => {
  const spread = (c: Record<string, unknown>, o: Parameters<typeof podInfo>[1] = {}) =>
    podInfo('new', { labels: { app: 'web' }, ...o, spec: { ...o.spec, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...c }] } as Partial<Pod['spec']> });
  const web = (n: string) => labelled(n, { app: 'web' });
  // z1 holds two matching pods (on a), z2 one (on c), b is empty in z1.
  const cluster = () => [zoned('a', 'z1', [web('w1'), web('w2'), labelled('db', { app: 'db' })]), zoned('b', 'z1'), zoned('c', 'z2', [web('w3')])];

  test('placing the pod must keep matching + self - global minimum within maxSkew', () => {
    expect(verdicts(podTopologySpread, spread({}), cluster())).toEqual({ a: SPREAD_SKEW, b: SPREAD_SKEW, c: ok });
    expect(verdicts(podTopologySpread, spread({ maxSkew: 2 }), cluster())).toEqual({ a: ok, b: ok, c: ok });
    // A pod its own selector does not match adds nothing to the skew.
    expect(verdicts(podTopologySpread, spread({}, { labels: { app: 'other' } }), cluster())).toEqual({ a: ok, b: ok, c: ok });
  });

  test('a node without the topology key is refused; terminating pods are not counted', () => {
    const nodes = [...cluster(), zoned('d', undefined)];
    expect(verdicts(podTopologySpread, spread({}), nodes).d).toBe(SPREAD_MISSING_LABEL);
    const leaving = { ...web('w4'), metadata: { ...web('w4').metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
    const withLeaving = [zoned('a', 'z1', [web('w1')]), zoned('c', 'z2', [web('w3'), leaving])];
    expect(verdicts(podTopologySpread, spread({}), withLeaving)).toEqual({ a: ok, c: ok });
  });

  test('fewer domains than minDomains: the global minimum counts as 0', () => {
    expect(verdicts(podTopologySpread, spread({ minDomains: 3 }), cluster())).toEqual({ a: SPREAD_SKEW, b: SPREAD_SKEW, c: SPREAD_SKEW });
    expect(verdicts(podTopologySpread, spread({ minDomains: 3, maxSkew: 2 }), cluster())).toEqual({ a: SPREAD_SKEW, b: SPREAD_SKEW, c: ok });
  });

  test("nodeAffinityPolicy: Honor counts only nodes the pod's nodeSelector admits; Ignore counts all", () => {
    const onlyZ1 = { spec: { nodeSelector: { zone: 'z1' } } as Partial<Pod['spec']> };
    // Honor (default): z2 is no domain, so the minimum is z1's own 2 and z1 takes the pod.
    expect(verdicts(podTopologySpread, spread({}, onlyZ1), cluster())).toEqual({ a: ok, b: ok, c: ok });
    expect(verdicts(podTopologySpread, spread({ nodeAffinityPolicy: 'Ignore' }, onlyZ1), cluster())).toEqual({ a: SPREAD_SKEW, b: SPREAD_SKEW, c: ok });
  });

  test('nodeTaintsPolicy: Honor leaves out domains of nodes whose taints the pod does not tolerate', () => {
    const nodes = [zoned('a', 'z1', [web('w1')]), zoned('c', 'z2', [], { taints: [{ key: 'gpu', effect: 'NoSchedule' }] })];
    expect(verdicts(podTopologySpread, spread({}), nodes)).toEqual({ a: SPREAD_SKEW, c: ok });
    expect(verdicts(podTopologySpread, spread({ nodeTaintsPolicy: 'Honor' }), nodes)).toEqual({ a: ok, c: ok });
  });
});

describe('PodTopologySpread score', () => {
  test('ScheduleAnyway: fewer matching pods in the domain scores higher; nodes without the key score 0', () => {
    const web = (n: string) => labelled(n, { app: 'web' });
    const nodes = [zoned('a', 'z1', [web('w1'), web('w2')]), zoned('b', 'z2', [web('w3')]), zoned('c', 'z3'), zoned('d', undefined)];
    const pod = podInfo('new', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] } as Partial<Pod['spec']> });
    // weight log(3 domains + 2) = 1.61: raw 3, 2, 0; normalized 100 * (3 + 0 - s) / 3
    expect(scores(podTopologySpread, pod, nodes)).toEqual({ a: 0, b: 33, c: 100, d: 0 });
    // DoNotSchedule constraints are the filter's, not the score's.
    expect(verdicts(podTopologySpread, pod, nodes)).toEqual({ a: 'skipped', b: 'skipped', c: 'skipped', d: 'skipped' });
  });
});
