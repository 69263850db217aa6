// Priority and preemption through the whole loop against a real API server: PriorityClasses
// resolved by the server's Priority admission, a high-priority pod that finds no room nominated
// to a node, the fewest lower-priority pods evicted with a Preempted event, and the pod bound.

import { POD_DISRUPTION_BUDGETS, PRIORITY_CLASSES, type KubeObject } from '@skiff/api';
import { until } from '@skiff/apiserver/testing';
import type { ExplanationJSON } from './explain.ts';
import type { Pod } from './model/types.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { makeNode, makePod } from './testing/fixtures.ts';
import { EVENTS, listPods, NODES, PODS, startCluster, type TestCluster } from './testing/harness.ts';

let cluster: TestCluster;
let scheduler: Scheduler | undefined;

beforeEach(async () => {
  cluster = await startCluster();
});
afterEach(async () => {
  await scheduler?.stop();
  await cluster.close();
});

const priorityClass = (name: string, value: number, extra: Record<string, unknown> = {}) =>
  cluster.client.create(PRIORITY_CLASSES, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra } as KubeObject);
const pod = (name: string, priorityClassName: string, cpu: string) =>
  cluster.client.create(PODS, makePod(name, { cpu, spec: { priorityClassName, terminationGracePeriodSeconds: 0 } }) as KubeObject);
const get = async (name: string) => (await cluster.client.get(PODS, 'default', name)) as unknown as Pod;

test('a high-priority pod evicts the fewest lower-priority pods and takes their place', async () => {
  await priorityClass('low', 100);
  await priorityClass('high', 1000);
  await cluster.client.create(NODES, makeNode('n1', { cpu: '2' }) as KubeObject);
  scheduler = createScheduler({ server: cluster.url, endpoint: { port: 0 }, leaderElection: false, log: () => {} });
  await scheduler.start();
  await pod('low-a', 'low', '1');
  await pod('low-b', 'low', '1');
  await until('both low pods bound', async () => (await listPods(cluster.client)).every((p) => (p as unknown as Pod).spec.nodeName), { timeoutMs: 20_000 });
  expect((await get('low-a')).spec.priority).toBe(100);

  await pod('vip', 'high', '1');
  await until('vip bound', async () => (await get('vip')).spec.nodeName === 'n1', { timeoutMs: 30_000 });
  const left = (await listPods(cluster.client)).map((p) => p.metadata.name).sort();
  expect(left).toHaveLength(2); // one victim, not both
  expect(left).toContain('vip');
  expect((await get('vip')).status).toMatchObject({ nominatedNodeName: 'n1' });
  const victim = ['low-a', 'low-b'].find((n) => !left.includes(n))!;
  await until('the Preempted event', async () => (await cluster.client.list(EVENTS, { namespace: 'default' })).items.some((e) => e.reason === 'Preempted' && (e.involvedObject as { name: string }).name === victim), { timeoutMs: 20_000 });
  const metrics = await (await fetch(`${scheduler.endpointUrl}/metrics`)).text();
  expect(metrics).toMatch(/^scheduler_preemption_attempts_total 1$/m);
}, 60_000);

test('preemptionPolicy Never waits instead; equal priority is never preempted', async () => {
  await priorityClass('low', 100);
  await priorityClass('polite', 1000, { preemptionPolicy: 'Never' });
  await cluster.client.create(NODES, makeNode('n1', { cpu: '1' }) as KubeObject);
  scheduler = createScheduler({ server: cluster.url, endpoint: { port: 0 }, leaderElection: false, log: () => {} });
  await scheduler.start();
  await pod('low', 'low', '1');
  await until('low bound', async () => (await get('low')).spec.nodeName === 'n1', { timeoutMs: 20_000 });
  await pod('polite', 'polite', '1');
  expect((await get('polite')).spec.preemptionPolicy).toBe('Never');
  await until('polite unschedulable', async () => (await get('polite')).status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'), { timeoutMs: 20_000 });
  await pod('peer', 'low', '1');
  await until('peer unschedulable', async () => (await get('peer')).status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'), { timeoutMs: 20_000 });
  // Both attempts are over and explained without a preemption; the low pod is still there.
  for (const name of ['polite', 'peer']) {
    const e = (await (await fetch(`${scheduler.endpointUrl}/explain/default/${name}`)).json()) as ExplanationJSON;
    expect([name, e.result, e.preemption]).toEqual([name, 'Unschedulable', undefined]);
  }
  expect((await get('low')).metadata.deletionTimestamp).toBeUndefined();
}, 60_000);

test('a budget that allows no disruption steers preemption to the node whose victim it does not protect', async () => {
  await priorityClass('low', 100);
  await priorityClass('mid', 200);
  await priorityClass('high', 1000);
  for (const n of ['n1', 'n2']) await cluster.client.create(NODES, makeNode(n, { cpu: '1' }) as KubeObject);
  const placed = (name: string, priorityClassName: string, app: string, nodeName: string) =>
    cluster.client.create(PODS, makePod(name, { cpu: '1', labels: { app }, spec: { priorityClassName, nodeName, terminationGracePeriodSeconds: 0 } }) as KubeObject);
  // The cheaper victim (priority 100) is on n1, but its budget allows nothing.
  await placed('guarded', 'low', 'db', 'n1');
  await placed('free', 'mid', 'web', 'n2');
  const pdb = await cluster.client.create(POD_DISRUPTION_BUDGETS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'db', namespace: 'default' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } } as KubeObject);
  // What the disruption controller would write for one Ready pod.
  await cluster.client.updateStatus(POD_DISRUPTION_BUDGETS, { ...pdb, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, observedGeneration: 1 } });
  scheduler = createScheduler({ server: cluster.url, endpoint: { port: 0 }, leaderElection: false, log: () => {} });
  await scheduler.start();
  await pod('vip', 'high', '1');
  await until('vip bound', async () => (await get('vip')).spec.nodeName === 'n2', { timeoutMs: 30_000 });
  const left = (await listPods(cluster.client)).map((p) => p.metadata.name).sort();
  expect(left).toEqual(['guarded', 'vip']);
}, 60_000);

test('while the victims leave, their node is held for the preemptor: a pod of equal priority does not take the room', async () => {
  await priorityClass('low', 100);
  await priorityClass('high', 1000);
  await cluster.client.create(NODES, makeNode('n1', { cpu: '3' }) as KubeObject);
  scheduler = createScheduler({ server: cluster.url, endpoint: { port: 0 }, leaderElection: false, log: () => {} });
  await scheduler.start();
  // Two victims-to-be, held by a finalizer so that they stay terminating until the test lets them go.
  const HOLD = 'example.com/hold';
  for (const name of ['low-a', 'low-b']) await cluster.client.create(PODS, makePod(name, { cpu: '1', spec: { priorityClassName: 'low', terminationGracePeriodSeconds: 0 } }) as KubeObject).then((p) => cluster.client.patch(PODS, 'default', p.metadata.name!, { metadata: { finalizers: [HOLD] } }, 'merge'));
  await until('both low pods bound', async () => (await listPods(cluster.client)).every((p) => (p as unknown as Pod).spec.nodeName === 'n1'), { timeoutMs: 20_000 });

  // The vip needs the whole node: both go, and it is nominated to n1 while they terminate.
  await pod('vip', 'high', '3');
  await until('vip nominated, victims terminating', async () => {
    const vip = await get('vip');
    const victims = await Promise.all(['low-a', 'low-b'].map(get));
    return vip.status?.nominatedNodeName === 'n1' && victims.every((v) => v.metadata.deletionTimestamp);
  }, { timeoutMs: 20_000 });

  // One CPU is free on n1 right now, but it is the vip's: a pod of the victims' priority must wait.
  await pod('sneaky', 'low', '1');
  await until('sneaky unschedulable', async () => (await get('sneaky')).status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'), { timeoutMs: 20_000 });
  const e = (await (await fetch(`${scheduler!.endpointUrl}/explain/default/sneaky`)).json()) as ExplanationJSON;
  expect(e.rejected).toEqual([{ node: 'n1', plugin: 'NodeResourcesFit', reasons: ['Insufficient cpu'] }]);

  // The victims go: the vip gets its node, and the equal-priority pod stays pending.
  for (const name of ['low-a', 'low-b']) await cluster.client.patch(PODS, 'default', name, { metadata: { finalizers: null } }, 'merge');
  await until('vip bound to n1', async () => (await get('vip')).spec.nodeName === 'n1', { timeoutMs: 30_000 });
  expect((await get('sneaky')).spec.nodeName).toBeUndefined();
}, 60_000);
