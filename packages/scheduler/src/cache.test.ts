import { SchedulerCache } from './cache.ts';
import { computePodInfo } from './model/pod-info.ts';
import { makeNode, makePod } from './testing/fixtures.ts';

function bound(name: string, node: string, cpu = '1') {
  const p = makePod(name, { cpu });
  p.spec.nodeName = node;
  return p;
}

describe('SchedulerCache', () => {
  test('an assumed pod takes resources at once; the watch confirms it without double counting', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(makeNode('n1', { cpu: '4' }));
    c.assume(computePodInfo(makePod('p', { cpu: '1' })), 'n1');
    expect(c.isAssumed('default/p')).toBe(true);
    expect(c.nodeInfo('n1')!.requested.milliCpu).toBe(1000);
    c.addOrUpdatePod(bound('p', 'n1'));
    expect(c.isAssumed('default/p')).toBe(false);
    expect(c.nodeInfo('n1')!.requested.milliCpu).toBe(1000);
    c.forget('default/p'); // confirmed pods are not forgotten
    expect(c.nodeInfo('n1')!.requested.milliCpu).toBe(1000);
  });

  test('a failed binding forgets the assumption', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(makeNode('n1'));
    c.assume(computePodInfo(makePod('p', { cpu: '1' })), 'n1');
    c.forget('default/p');
    expect(c.nodeInfo('n1')!.requested.milliCpu).toBe(0);
    expect(c.podCount).toBe(0);
  });

  test('an assumption the watch never confirms expires after the binding', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(makeNode('n1'));
    c.assume(computePodInfo(makePod('p', { cpu: '1' })), 'n1');
    c.cleanupExpired(Number.MAX_SAFE_INTEGER); // no binding yet: kept
    expect(c.podCount).toBe(1);
    c.finishBinding('default/p', 1000);
    c.cleanupExpired(999);
    expect(c.podCount).toBe(1);
    c.cleanupExpired(1000);
    expect(c.podCount).toBe(0);
  });

  test('the watch moving a pod to another node than assumed wins', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(makeNode('n1'));
    c.addOrUpdateNode(makeNode('n2'));
    c.assume(computePodInfo(makePod('p', { cpu: '1' })), 'n1');
    c.addOrUpdatePod(bound('p', 'n2'));
    expect(c.nodeInfo('n1')!.requested.milliCpu).toBe(0);
    expect(c.nodeInfo('n2')!.requested.milliCpu).toBe(1000);
  });

  test('finished pods free their resources', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(makeNode('n1'));
    const p = bound('p', 'n1');
    c.addOrUpdatePod(p);
    c.addOrUpdatePod({ ...p, status: { phase: 'Succeeded' } });
    expect(c.nodeInfo('n1')!.pods.size).toBe(0);
  });

  test('pods on a node not seen yet are kept and count once it arrives', () => {
    const c = new SchedulerCache();
    c.addOrUpdatePod(bound('p', 'late'));
    expect(c.nodeList()).toHaveLength(0);
    c.addOrUpdateNode(makeNode('late'));
    expect(c.nodeList().map((n) => n.name)).toEqual(['late']);
    expect(c.nodeInfo('late')!.requested.milliCpu).toBe(1000);
  });

  test('removing nodes keeps the list consistent', () => {
    const c = new SchedulerCache();
    for (const n of ['a', 'b', 'c', 'd']) c.addOrUpdateNode(makeNode(n));
    c.addOrUpdatePod(bound('p', 'b'));
    c.removeNode('b');
    c.removeNode('a');
    c.addOrUpdateNode(makeNode('a')); // re-added: one entry
    expect(c.nodeList().map((n) => n.name).sort()).toEqual(['a', 'c', 'd']);
    expect(c.nodeInfo('b')?.pods.size).toBe(1); // placeholder while its pod lives
    c.removePod('default/p');
    expect(c.nodeInfo('b')).toBeUndefined();
  });
});
