import { computePodInfo } from './pod-info.ts';
import { makePod, nodeInfo } from '../testing/fixtures.ts';

describe('NodeInfo', () => {
  test('aggregates requests, ports and owners incrementally', () => {
    const n = nodeInfo('n1', { cpu: '2', memory: '4Gi', pods: 10 });
    expect(n.allocatable).toEqual({ milliCpu: 2000, memory: 4 * 2 ** 30, pods: 10 });
    expect(n.ready).toBe(true);
    const a = computePodInfo(makePod('a', { owner: 'rs', spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m' } }, ports: [{ containerPort: 1, hostPort: 80 }] }] } }));
    n.addPod(a);
    n.addPod(a); // re-adding the same pod does not count it twice
    expect(n.requested.milliCpu).toBe(500);
    expect(n.ownerCounts.get('uid-rs')).toBe(1);
    expect(n.portsConflict([{ protocol: 'TCP', port: 80, ip: '10.0.0.1' }])).toBe(true);
    expect(n.portsConflict([{ protocol: 'UDP', port: 80, ip: '0.0.0.0' }])).toBe(false);
    n.removePod(a.key);
    expect(n.requested).toEqual({ milliCpu: 0, memory: 0 });
    expect(n.nonZeroRequested).toEqual({ milliCpu: 0, memory: 0 });
    expect(n.usedPorts.size).toBe(0);
    expect(n.ownerCounts.size).toBe(0);
  });

  test('host ports on distinct IPs do not clash', () => {
    const n = nodeInfo('n1', {}, [makePod('a', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 1, hostPort: 80, hostIP: '10.0.0.1' }] }] } })]);
    expect(n.portsConflict([{ protocol: 'TCP', port: 80, ip: '10.0.0.2' }])).toBe(false);
    expect(n.portsConflict([{ protocol: 'TCP', port: 80, ip: '0.0.0.0' }])).toBe(true);
  });
});

describe('nodeSchedulingPropertiesChanged', () => {
  test('only changes that matter to scheduling count', async () => {
    const { makeNode } = await import('../testing/fixtures.ts');
    const { nodeSchedulingPropertiesChanged } = await import('./node-info.ts');
    const n = makeNode('n', { cpu: '4' });
    const heartbeat = { ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'later' }] } };
    expect(nodeSchedulingPropertiesChanged(n, heartbeat)).toBe(false);
    expect(nodeSchedulingPropertiesChanged(n, makeNode('n', { cpu: '8' }))).toBe(true);
    expect(nodeSchedulingPropertiesChanged(n, makeNode('n', { cpu: '4', labels: { a: 'b' } }))).toBe(true);
    expect(nodeSchedulingPropertiesChanged(n, makeNode('n', { cpu: '4', unschedulable: true }))).toBe(true);
    expect(nodeSchedulingPropertiesChanged(n, makeNode('n', { cpu: '4', ready: false }))).toBe(true);
    expect(nodeSchedulingPropertiesChanged(n, makeNode('n', { cpu: '4', taints: [{ key: 'k', effect: 'NoSchedule' }] }))).toBe(true);
  });
});

test('lowestPriority: the lowest priority of the pods that are not terminating, kept as pods come and go', () => {
  const n = nodeInfo('n1', {});
  expect(n.lowestPriority()).toBe(Number.POSITIVE_INFINITY);
  const low = computePodInfo(makePod('low', { priority: -5 }));
  const mid = computePodInfo(makePod('mid', { priority: 10 }));
  const mid2 = computePodInfo(makePod('mid2', { priority: 10 }));
  n.addPod(low);
  n.addPod(mid);
  n.addPod(mid2);
  expect(n.lowestPriority()).toBe(-5);
  // A pod that starts terminating no longer counts (it is leaving anyway).
  n.addPod(computePodInfo({ ...makePod('low', { priority: -5 }), metadata: { ...makePod('low').metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }));
  expect(n.lowestPriority()).toBe(10);
  n.removePod(low.key);
  n.removePod(mid.key);
  expect(n.lowestPriority()).toBe(10);
  n.removePod(mid2.key);
  expect(n.lowestPriority()).toBe(Number.POSITIVE_INFINITY);
});
