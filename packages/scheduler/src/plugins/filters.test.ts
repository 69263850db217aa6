// One describe per filter plugin: what passes, what is rejected, and with which reason.
import { CycleState, type Plugin, type Status } from '../framework.ts';
import type { NodeInfo } from '../model/node-info.ts';
import type { PodInfo } from '../model/pod-info.ts';
import { makePod, nodeInfo, podInfo } from '../testing/fixtures.ts';
import { AFFINITY_MISMATCH, nodeAffinity } from './node-affinity.ts';
import { NODE_NAME_MISMATCH, nodeName } from './node-name.ts';
import { nodePorts, PORTS_TAKEN } from './node-ports.ts';
import { NOT_READY, nodeReady } from './node-ready.ts';
import { computeFit } from './node-resources-fit.ts';
import { nodeUnschedulable, UNSCHEDULABLE } from './node-unschedulable.ts';
import { taintToleration } from './taint-toleration.ts';

function run(plugin: Plugin, pod: PodInfo, node: NodeInfo): Status {
  return plugin.filter!(new CycleState(), pod, node);
}
const ok = { code: 'Success', reasons: [] };
const no = (...reasons: string[]) => ({ code: 'Unschedulable', reasons });

describe('NodeReady', () => {
  test('ready nodes pass, others are rejected', () => {
    expect(run(nodeReady, podInfo('p'), nodeInfo('n'))).toEqual(ok);
    expect(run(nodeReady, podInfo('p'), nodeInfo('n', { ready: false }))).toEqual(no(NOT_READY));
  });
});

describe('NodeUnschedulable', () => {
  test('cordoned nodes are rejected unless the pod tolerates the cordon', () => {
    const cordoned = nodeInfo('n', { unschedulable: true });
    expect(run(nodeUnschedulable, podInfo('p'), nodeInfo('n'))).toEqual(ok);
    expect(run(nodeUnschedulable, podInfo('p'), cordoned)).toEqual(no(UNSCHEDULABLE));
    const tolerant = podInfo('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } });
    expect(run(nodeUnschedulable, tolerant, cordoned)).toEqual(ok);
  });
});

describe('NodeName', () => {
  test('a pod naming a node fits only that node', () => {
    expect(run(nodeName, podInfo('p'), nodeInfo('a'))).toEqual(ok);
    expect(run(nodeName, podInfo('p', { spec: { nodeName: 'a' } }), nodeInfo('a'))).toEqual(ok);
    expect(run(nodeName, podInfo('p', { spec: { nodeName: 'a' } }), nodeInfo('b'))).toEqual(no(NODE_NAME_MISMATCH));
  });
});

describe('NodeResourcesFit filter', () => {
  test('requests of the pods on the node plus this one must fit allocatable', () => {
    const node = nodeInfo('n', { cpu: '1', memory: '1Gi', pods: 2 }, [makePod('a', { cpu: '600m', memory: '512Mi' })]);
    expect(computeFit(podInfo('p', { cpu: '400m', memory: '512Mi' }), node)).toEqual(ok);
    expect(computeFit(podInfo('p', { cpu: '401m' }), node)).toEqual(no('Insufficient cpu'));
    expect(computeFit(podInfo('p', { cpu: '500m', memory: '513Mi' }), node)).toEqual(no('Insufficient cpu', 'Insufficient memory'));
  });

  test('pod count', () => {
    const full = nodeInfo('n', { pods: 1 }, [makePod('a')]);
    expect(computeFit(podInfo('p'), full)).toEqual(no('Too many pods'));
  });

  test('a pod without requests fits a node with no cpu left', () => {
    const busy = nodeInfo('n', { cpu: '1' }, [makePod('a', { cpu: '1' })]);
    expect(computeFit(podInfo('p'), busy)).toEqual(ok);
  });
});

describe('NodeAffinity filter', () => {
  const node = nodeInfo('n1', { labels: { disk: 'ssd', zone: 'a', cores: '16' } });
  const required = (...matchExpressions: object[]) =>
    podInfo('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] as never } } } } });

  test('nodeSelector must match every label', () => {
    expect(run(nodeAffinity, podInfo('p', { spec: { nodeSelector: { disk: 'ssd' } } }), node)).toEqual(ok);
    expect(run(nodeAffinity, podInfo('p', { spec: { nodeSelector: { disk: 'ssd', zone: 'b' } } }), node)).toEqual(no(AFFINITY_MISMATCH));
  });

  test.each([
    [{ key: 'zone', operator: 'In', values: ['a', 'b'] }, true],
    [{ key: 'zone', operator: 'In', values: ['b'] }, false],
    [{ key: 'zone', operator: 'NotIn', values: ['b'] }, true],
    [{ key: 'zone', operator: 'NotIn', values: ['a'] }, false],
    [{ key: 'gpu', operator: 'NotIn', values: ['x'] }, true],
    [{ key: 'disk', operator: 'Exists' }, true],
    [{ key: 'gpu', operator: 'Exists' }, false],
    [{ key: 'gpu', operator: 'DoesNotExist' }, true],
    [{ key: 'disk', operator: 'DoesNotExist' }, false],
    [{ key: 'cores', operator: 'Gt', values: ['8'] }, true],
    [{ key: 'cores', operator: 'Gt', values: ['16'] }, false],
    [{ key: 'cores', operator: 'Lt', values: ['32'] }, true],
    [{ key: 'zone', operator: 'Lt', values: ['32'] }, false], // not an integer
  ])('%j -> %s', (expr, fits) => {
    expect(run(nodeAffinity, required(expr), node).code).toBe(fits ? 'Success' : 'Unschedulable');
  });

  test('terms are ORed, expressions ANDed, an empty term matches nothing', () => {
    const terms = (t: object[]) =>
      podInfo('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: t as never } } } } });
    expect(run(nodeAffinity, terms([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]), node)).toEqual(ok);
    expect(run(nodeAffinity, terms([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gpu', operator: 'Exists' }] }]), node)).toEqual(no(AFFINITY_MISMATCH));
    expect(run(nodeAffinity, terms([{}]), node)).toEqual(no(AFFINITY_MISMATCH));
    expect(run(nodeAffinity, terms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]), node)).toEqual(ok);
  });
});

describe('TaintToleration filter', () => {
  const gpu = nodeInfo('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  test('an untolerated NoSchedule taint rejects, naming the taint', () => {
    expect(run(taintToleration, podInfo('p'), gpu)).toEqual(no('node(s) had untolerated taint {dedicated: gpu}'));
  });
  test('NoExecute rejects too; PreferNoSchedule does not', () => {
    expect(run(taintToleration, podInfo('p'), nodeInfo('n', { taints: [{ key: 'k', effect: 'NoExecute' }] })).code).toBe('Unschedulable');
    expect(run(taintToleration, podInfo('p'), nodeInfo('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }))).toEqual(ok);
  });
  test.each([
    [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
    [{ key: 'dedicated', value: 'gpu' }, true], // Equal is the default; any effect
    [{ key: 'dedicated', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true], // tolerates everything
    [{ key: 'dedicated', value: 'cpu' }, false],
    [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ value: 'gpu' }, false], // an empty key needs Exists
  ])('toleration %j -> %s', (t, fits) => {
    expect(run(taintToleration, podInfo('p', { spec: { tolerations: [t as never] } }), gpu).code).toBe(fits ? 'Success' : 'Unschedulable');
  });
});

describe('NodePorts', () => {
  const withPort = (name: string, hostPort: number, protocol = 'TCP') =>
    makePod(name, { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, protocol }] }] } });
  test('a host port taken on the node rejects it', () => {
    const node = nodeInfo('n', {}, [withPort('a', 8080)]);
    expect(run(nodePorts, podInfo('p'), node)).toEqual(ok);
    expect(run(nodePorts, podInfo('p', { spec: withPort('x', 8081).spec }), node)).toEqual(ok);
    expect(run(nodePorts, podInfo('p', { spec: withPort('x', 8080, 'UDP').spec }), node)).toEqual(ok);
    expect(run(nodePorts, podInfo('p', { spec: withPort('x', 8080).spec }), node)).toEqual(no(PORTS_TAKEN));
  });
});

describe('pre-checks', () => {
  const ctx = new CycleState();
  test('filters with nothing to check for the pod are skipped', () => {
    expect(nodeName.preFilter!(ctx, podInfo('p'), [])).toBe('Skip');
    expect(nodeName.preFilter!(ctx, podInfo('p', { spec: { nodeName: 'a' } }), [])).toBeUndefined();
    expect(nodePorts.preFilter!(ctx, podInfo('p'), [])).toBe('Skip');
    expect(nodePorts.preFilter!(ctx, podInfo('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 1, hostPort: 80 }] }] } }), [])).toBeUndefined();
    expect(nodeAffinity.preFilter!(ctx, podInfo('p'), [])).toBe('Skip');
    expect(nodeAffinity.preFilter!(ctx, podInfo('p', { spec: { nodeSelector: { a: 'b' } } }), [])).toBeUndefined();
  });
});
