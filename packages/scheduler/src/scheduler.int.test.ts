// The whole loop against a real API server: informers, queue, cache, binding, reports, leader
// election. Each test gets its own server.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '@skiff/api';
import { RestClient } from '@skiff/client';
import { createScheduler, type Scheduler, type SchedulerOptions } from './scheduler.ts';
import { makeNode, makePod, type NodeOptions, type PodOptions } from './testing/fixtures.ts';
import { EVENTS, forEachLimit, listPods, NODES, PODS, startCluster, type TestCluster } from './testing/harness.ts';
import { until } from '@skiff/apiserver/testing';
import { computeRequests } from './model/pod-info.ts';
import type { Pod } from './model/types.ts';
import type { ExplanationJSON } from './explain.ts';

let cluster: TestCluster;
const schedulers: Scheduler[] = [];

beforeEach(async () => {
  cluster = await startCluster();
});

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  await cluster.close();
});

async function startScheduler(opts: Partial<SchedulerOptions> = {}): Promise<Scheduler> {
  const s = createScheduler({ server: cluster.url, endpoint: { port: 0 }, leaderElection: false, log: () => {}, ...opts });
  schedulers.push(s);
  await s.start();
  return s;
}

const addNode = (name: string, o?: NodeOptions) => cluster.client.create(NODES, makeNode(name, o) as KubeObject);
const addPod = (name: string, o?: PodOptions) => cluster.client.create(PODS, makePod(name, o) as KubeObject);
const getPod = async (name: string) => (await cluster.client.get(PODS, 'default', name)) as unknown as Pod;
const nodeOf = async (name: string) => (await getPod(name)).spec.nodeName;
const scheduledCondition = async (name: string) => (await getPod(name)).status?.conditions?.find((c) => c.type === 'PodScheduled');

async function boundPods(): Promise<Pod[]> {
  return ((await listPods(cluster.client)) as unknown as Pod[]).filter((p) => p.spec.nodeName);
}

describe('scheduler against a real API server', () => {
  test('500 pods racing onto 10 nodes never overcommit a node', async () => {
    for (let i = 0; i < 10; i++) await addNode(`n${i}`, { cpu: '4', memory: '8Gi', pods: 110 });
    await startScheduler();
    // 500 x 100m on 10 x 4 cores: 400 fit, 100 cannot. Created concurrently while scheduling.
    const names = Array.from({ length: 500 }, (_, i) => `p${i}`);
    await forEachLimit(names, 32, (n) => addPod(n, { cpu: '100m', memory: '16Mi' }));
    await until('400 bound pods', async () => (await boundPods()).length === 400, 45_000);
    const pods = (await listPods(cluster.client)) as unknown as Pod[];
    const perNode = new Map<string, number>();
    for (const p of pods) if (p.spec.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + computeRequests(p).milliCpu);
    for (const [, milli] of perNode) expect(milli).toBeLessThanOrEqual(4000);
    expect([...perNode.values()].reduce((a, b) => a + b, 0)).toBe(40_000);
    // The rest are reported unschedulable, with the kubectl message.
    const pending = pods.filter((p) => !p.spec.nodeName);
    expect(pending).toHaveLength(100);
    await until('PodScheduled=False', async () => (await scheduledCondition(pending[0].metadata.name!))?.status === 'False', 20_000);
    expect((await scheduledCondition(pending[0].metadata.name!))).toMatchObject({ reason: 'Unschedulable', message: '0/10 nodes are available: 10 Insufficient cpu.' });
  }, 60_000);

  test('pods of one owner spread across nodes; Scheduled events are recorded', async () => {
    for (const n of ['a', 'b', 'c']) await addNode(n);
    await startScheduler();
    for (let i = 0; i < 6; i++) await addPod(`web-${i}`, { owner: 'web-rs', cpu: '100m' });
    await until('6 bound pods', async () => (await boundPods()).length === 6, 20_000);
    const counts = new Map<string, number>();
    for (const p of await boundPods()) counts.set(p.spec.nodeName!, (counts.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);
    await until('events', async () => (await cluster.client.list(EVENTS, { namespace: 'default' })).items.filter((e) => e.reason === 'Scheduled').length === 6, 20_000);
    const event = (await cluster.client.list(EVENTS, { namespace: 'default' })).items.find((e) => (e.involvedObject as { name: string }).name === 'web-0')!;
    expect(event.message).toBe(`Successfully assigned default/web-0 to ${await nodeOf('web-0')}`);
  }, 60_000);

  test('node selectors, required affinity and taints; the explanation names each verdict', async () => {
    await addNode('gpu', { labels: { accel: 'gpu' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await addNode('ssd', { labels: { disk: 'ssd' } });
    await addNode('plain');
    const s = await startScheduler();
    const gpuAffinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'accel', operator: 'In' as const, values: ['gpu'] }] }] } } };
    await addPod('wants-ssd', { spec: { nodeSelector: { disk: 'ssd' } } });
    await addPod('gpu-job', { spec: { affinity: gpuAffinity, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } });
    await addPod('gpu-no-toleration', { spec: { affinity: gpuAffinity } });
    for (let i = 0; i < 4; i++) await addPod(`plain-${i}`);
    await until('6 bound pods', async () => (await boundPods()).length === 6, 20_000);
    expect(await nodeOf('wants-ssd')).toBe('ssd');
    expect(await nodeOf('gpu-job')).toBe('gpu');
    for (let i = 0; i < 4; i++) expect(await nodeOf(`plain-${i}`)).not.toBe('gpu');
    const message = "0/3 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}.";
    await until('the FailedScheduling condition', async () => (await scheduledCondition('gpu-no-toleration'))?.message === message, 20_000);

    const res = await fetch(`${s.endpointUrl}/explain/default/gpu-no-toleration`);
    expect(res.status).toBe(200);
    const explained = (await res.json()) as ExplanationJSON;
    expect(explained).toMatchObject({ result: 'Unschedulable', message, nodesInCluster: 3, nodesEvaluated: 3, scored: [] });
    expect(explained.rejected).toEqual(
      expect.arrayContaining([
        { node: 'gpu', plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] },
        { node: 'ssd', plugin: 'NodeAffinity', reasons: ["node(s) didn't match Pod's node affinity/selector"] },
      ]),
    );
    const placed = (await (await fetch(`${s.endpointUrl}/explain/default/wants-ssd`)).json()) as ExplanationJSON;
    expect(placed).toMatchObject({ result: 'Scheduled', node: 'ssd' });
    expect(placed.scored[0].node).toBe('ssd');
    expect(Object.keys(placed.scored[0].scores)).toContain('NodeResourcesFit');
    expect((await fetch(`${s.endpointUrl}/explain/default/nope`)).status).toBe(404);
    const metrics = await (await fetch(`${s.endpointUrl}/metrics`)).text();
    expect(metrics).toMatch(/scheduler_schedule_attempts_total\{result="scheduled"\} 6/);
    expect(metrics).toMatch(/scheduler_pending_pods\{queue="unschedulable"\} 1/);
    expect(await (await fetch(`${s.endpointUrl}/healthz`)).text()).toBe('ok\n');
  }, 60_000);

  test('a pending pod is placed once a node that fits it is added', async () => {
    await addNode('small', { cpu: '1' });
    await startScheduler();
    await addPod('big', { cpu: '2' });
    await until('PodScheduled=False', async () => (await scheduledCondition('big'))?.status === 'False', 20_000);
    expect(await nodeOf('big')).toBeUndefined();
    await addNode('large', { cpu: '4' });
    await until('big bound to large', async () => (await nodeOf('big')) === 'large', 20_000);
  }, 60_000);

  test('a pending pod is placed once a pod that held the room is deleted', async () => {
    await addNode('only', { cpu: '1' });
    await startScheduler();
    await addPod('first', { cpu: '1' });
    await until('first bound', async () => (await nodeOf('first')) === 'only', 20_000);
    await addPod('second', { cpu: '1' });
    await until('second unschedulable', async () => (await scheduledCondition('second'))?.status === 'False', 20_000);
    await cluster.client.delete(PODS, 'default', 'first', { gracePeriodSeconds: 0 });
    await until('second bound after first went', async () => (await nodeOf('second')) === 'only', 20_000);
  }, 60_000);

  test('a binding conflict forgets the assumption and leaves the pod where the other binder put it', async () => {
    await addNode('only', { cpu: '1' });
    await addNode('other', { cpu: '1' });
    // A proxy that, on the scheduler's first binding, binds the pod elsewhere first: a 409.
    const rival = new RestClient({ server: cluster.url });
    let raced = 0;
    const upstream = new URL(cluster.url);
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        if (req.url?.endsWith('/binding') && raced++ === 0) {
          const chosen = JSON.parse(body.toString()).target.name as string;
          await rival.bind('default', 'contested', chosen === 'only' ? 'other' : 'only');
        }
        const up = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 500, r.headers);
          r.pipe(res);
        });
        up.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const s = await startScheduler({ server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
      await addPod('contested', { cpu: '1' });
      await until('the failed binding', () => s.explain('default', 'contested')?.result === 'BindingFailed', 20_000);
      expect(s.explain('default', 'contested')!.message).toMatch(/^Binding rejected: /);
      const where = await nodeOf('contested');
      expect(where).toBeDefined();
      // The assumption is gone: a pod needing the whole other node still fits there.
      await addPod('after', { cpu: '1' });
      await until('after bound', async () => (await nodeOf('after')) !== undefined, 20_000);
      expect(await nodeOf('after')).not.toBe(where);
      const metrics = await (await fetch(`${s.endpointUrl}/metrics`)).text();
      expect(metrics).toMatch(/scheduler_schedule_attempts_total\{result="error"\} 1/);
    } finally {
      rival.close();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  }, 60_000);

  test('two schedulers with leader election: only the leader binds; the other takes over when it stops', async () => {
    await addNode('n1');
    // Generous durations so a loaded machine cannot make the leader miss its renewals; stop()
    // releases the lease, so the takeover does not wait for it to expire.
    const le = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 300 };
    const a = await startScheduler({ leaderElection: { ...le, identity: 'a' } });
    await until('a leads', () => a.isLeader(), 20_000);
    const b = await startScheduler({ leaderElection: { ...le, identity: 'b' } });
    for (let i = 0; i < 20; i++) await addPod(`first-${i}`);
    await until('20 bound', async () => (await boundPods()).length === 20, 20_000);
    const scheduled = async (s: Scheduler) => Number(/scheduler_schedule_attempts_total\{result="scheduled"\} (\d+)/.exec(await (await fetch(`${s.endpointUrl}/metrics`)).text())![1]);
    expect(await scheduled(a)).toBe(20);
    expect(await scheduled(b)).toBe(0);
    expect(b.isLeader()).toBe(false);

    await a.stop(); // releases the lease
    await until('b leads', () => b.isLeader(), 20_000);
    for (let i = 0; i < 5; i++) await addPod(`second-${i}`);
    await until('25 bound', async () => (await boundPods()).length === 25, 20_000);
    expect(await scheduled(b)).toBe(5);
  }, 60_000);
});
