// The event recorder against a real API server: similar events are aggregated after ten.
import type { KubeObject } from '@skiff/api';
import { EventRecorder } from '@skiff/client';
import { EVENTS } from '../src/lib/resources.ts';
import { startCluster, type Cluster } from './harness.ts';
import { until } from '@skiff/apiserver/testing';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

test('ten distinct events, then one combined event whose count grows', async () => {
  const { client } = cluster;
  const recorder = new EventRecorder(client, { component: 'test-controller', flushMs: 50 });
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'default', uid: 'uid-rs' } };
  for (let i = 0; i < 25; i++) recorder.normal(rs, 'SuccessfulCreate', `Created pod: rs-${i}`);
  const events = await until('events', async () => {
    const list = (await client.list(EVENTS, { namespace: 'default' })).items;
    const combined = list.find((e) => String(e.message).startsWith('(combined from similar events)'));
    return list.length === 11 && combined?.count === 15 ? list : undefined;
  }, 5000);
  const plain = events.filter((e) => !String(e.message).startsWith('(combined'));
  expect(plain.map((e) => e.message).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Created pod: rs-${i}`).sort());
  expect(plain[0]).toMatchObject({ reason: 'SuccessfulCreate', type: 'Normal', involvedObject: { kind: 'ReplicaSet', name: 'rs', uid: 'uid-rs' }, source: { component: 'test-controller' } });
  const combined = events.find((e) => String(e.message).startsWith('(combined'))!;
  expect(combined.message).toBe('(combined from similar events): Created pod: rs-24');
});

test('what the recorder remembers is bounded: past maxEntries the oldest series is forgotten and a repeat starts a new Event', async () => {
  const { client } = cluster;
  const recorder = new EventRecorder(client, { component: 'bounded-controller', flushMs: 50, maxEntries: 2 });
  const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `bounded-${i}`, namespace: 'default', uid: `uid-bounded-${i}` } });
  recorder.warning(pod(0), 'FailedScheduling', 'no nodes');
  recorder.warning(pod(0), 'FailedScheduling', 'no nodes'); // remembered: counts up the same Event
  recorder.warning(pod(1), 'FailedScheduling', 'no nodes');
  recorder.warning(pod(2), 'FailedScheduling', 'no nodes'); // pushes pod 0's series out
  recorder.warning(pod(0), 'FailedScheduling', 'no nodes'); // forgotten: a new Event
  const mine = (list: KubeObject[]) => list.filter((e) => (e.source as { component?: string } | undefined)?.component === 'bounded-controller');
  const events = await until('events', async () => {
    const list = mine((await client.list(EVENTS, { namespace: 'default' })).items);
    const of0 = list.filter((e) => (e.involvedObject as { uid: string }).uid === 'uid-bounded-0');
    return list.length === 4 && of0.some((e) => e.count === 2) ? list : undefined;
  }, 5000);
  const of0 = events.filter((e) => (e.involvedObject as { uid: string }).uid === 'uid-bounded-0').map((e) => e.count).sort();
  expect(of0).toEqual([1, 2]);
});

test('an Event dropped on a full backlog is tried again at its next occurrence, and the recorder goes on', async () => {
  const { client } = cluster;
  const recorder = new EventRecorder(client, { component: 'backlog-controller', flushMs: 50, maxInFlight: 1, maxPending: 1 });
  const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `backlog-${i}`, namespace: 'default', uid: `uid-backlog-${i}` } });
  recorder.warning(pod(0), 'FailedScheduling', 'no nodes'); // in flight
  recorder.warning(pod(1), 'FailedScheduling', 'no nodes'); // waits
  recorder.warning(pod(2), 'FailedScheduling', 'no nodes'); // dropped: the backlog is full
  await recorder.idle();
  recorder.warning(pod(2), 'FailedScheduling', 'no nodes'); // written now
  recorder.warning(pod(2), 'FailedScheduling', 'no nodes'); // and counted up
  recorder.warning(pod(3), 'FailedScheduling', 'no nodes');
  const counts = await until('events', async () => {
    const list = (await client.list(EVENTS, { namespace: 'default' })).items.filter((e) => (e.source as { component?: string } | undefined)?.component === 'backlog-controller');
    const byPod = new Map(list.map((e) => [(e.involvedObject as { name: string }).name, e.count]));
    return byPod.size === 4 && byPod.get('backlog-2') === 2 ? byPod : undefined;
  }, 5000);
  expect(Object.fromEntries(counts)).toEqual({ 'backlog-0': 1, 'backlog-1': 1, 'backlog-2': 2, 'backlog-3': 1 });
});
