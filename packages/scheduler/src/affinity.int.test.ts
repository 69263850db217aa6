// Pod affinity, anti-affinity and topology spreading through the whole loop against a real API
// server: what lands where, what stays pending with which message, and a pod waiting for its
// affine partner scheduled as soon as the partner is placed.

import type { KubeObject } from '@skiff/api';
import { until } from '@skiff/apiserver/testing';
import type { ExplanationJSON } from './explain.ts';
import type { Pod } from './model/types.ts';
import { createScheduler, type Scheduler } from './scheduler.ts';
import { makeNode, makePod, type PodOptions } from './testing/fixtures.ts';
import { listPods, NODES, PODS, startCluster, type TestCluster } from './testing/harness.ts';

let cluster: TestCluster;
let scheduler: Scheduler | undefined;

beforeEach(async () => {
  cluster = await startCluster();
  // Three zones of two nodes.
  for (const [i, zone] of ['z1', 'z1', 'z2', 'z2', 'z3', 'z3'].entries()) {
    await cluster.client.create(NODES, makeNode(`n${i}`, { labels: { 'topology.kubernetes.io/zone': zone } }) as KubeObject);
  }
  scheduler = createScheduler({ server: cluster.url, endpoint: { port: 0 }, leaderElection: false, log: () => {} });
  await scheduler.start();
});

afterEach(async () => {
  await scheduler?.stop();
  await cluster.close();
});

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const addPod = (name: string, o: PodOptions) => cluster.client.create(PODS, makePod(name, { cpu: '100m', ...o }) as KubeObject);
const pods = async () => (await listPods(cluster.client)) as unknown as Pod[];
const zoneOf = (node: string) => ({ n0: 'z1', n1: 'z1', n2: 'z2', n3: 'z2', n4: 'z3', n5: 'z3' })[node];
const condition = async (name: string) => ((await cluster.client.get(PODS, 'default', name)) as unknown as Pod).status?.conditions?.find((c) => c.type === 'PodScheduled');

test('required anti-affinity per hostname: one replica per node, the seventh stays pending with the reason', async () => {
  const antiAffine = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: HOST }] } };
  for (let i = 0; i < 7; i++) await addPod(`db-${i}`, { labels: { app: 'db' }, spec: { affinity: antiAffine } as Partial<Pod['spec']> });
  await until('6 bound', async () => (await pods()).filter((p) => p.spec.nodeName).length === 6, { timeoutMs: 20_000 });
  const bound = (await pods()).filter((p) => p.spec.nodeName);
  expect(new Set(bound.map((p) => p.spec.nodeName)).size).toBe(6);
  const pending = (await pods()).find((p) => !p.spec.nodeName)!;
  await until('PodScheduled=False', async () => (await condition(pending.metadata.name!))?.status === 'False', { timeoutMs: 20_000 });
  expect(await condition(pending.metadata.name!)).toMatchObject({ reason: 'Unschedulable', message: "0/6 nodes are available: 6 node(s) didn't match pod anti-affinity rules." });
  const explained = (await (await fetch(`${scheduler!.endpointUrl}/explain/default/${pending.metadata.name}`)).json()) as ExplanationJSON;
  expect(explained.rejected.map((r) => r.plugin)).toEqual(Array(6).fill('InterPodAffinity'));
}, 60_000);

test('DoNotSchedule spreading by zone, maxSkew 1: nine replicas land three per zone', async () => {
  const spread = [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];
  for (let i = 0; i < 9; i++) await addPod(`web-${i}`, { labels: { app: 'web' }, spec: { topologySpreadConstraints: spread } as Partial<Pod['spec']> });
  await until('9 bound', async () => (await pods()).filter((p) => p.spec.nodeName).length === 9, { timeoutMs: 20_000 });
  const perZone = new Map<string, number>();
  for (const p of await pods()) perZone.set(zoneOf(p.spec.nodeName!)!, (perZone.get(zoneOf(p.spec.nodeName!)!) ?? 0) + 1);
  expect(Object.fromEntries(perZone)).toEqual({ z1: 3, z2: 3, z3: 3 });
}, 60_000);

test('a pod whose required affinity nothing satisfies waits, and is placed in its partner\'s zone once the partner is', async () => {
  const affine = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: ZONE }] } };
  await addPod('web', { labels: { app: 'web' }, spec: { affinity: affine } as Partial<Pod['spec']> });
  await until('web unschedulable', async () => (await condition('web'))?.status === 'False', { timeoutMs: 20_000 });
  expect((await condition('web'))?.message).toBe("0/6 nodes are available: 6 node(s) didn't match pod affinity rules.");
  // The partner, pinned to a zone-z3 node.
  await addPod('cache', { labels: { app: 'cache' }, spec: { nodeSelector: { [HOST]: 'n5' } } });
  await until('web bound', async () => (await pods()).find((p) => p.metadata.name === 'web')?.spec.nodeName !== undefined, { timeoutMs: 20_000 });
  const web = (await pods()).find((p) => p.metadata.name === 'web')!;
  expect(zoneOf(web.spec.nodeName!)).toBe('z3');
}, 60_000);
