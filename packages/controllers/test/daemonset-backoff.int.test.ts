// The DaemonSet controller against a real API server, with a node that fails every daemon pod
// it is given (as a kubelet rejecting them would): after the first, each failed pod is replaced only
// after the node's back-off (1 s, 2 s, 4 s, ... as Kubernetes' failedPodsBackoff), with a FailedDaemonPod
// event, instead of as fast as the controller can sync.
import { formatTime, type KubeObject } from '@skiff/api';
import { Informer } from '@skiff/client';
import { until } from '@skiff/apiserver/testing';
import { DAEMON_SETS, EVENTS, NODES, PODS } from '../src/lib/resources.ts';
import { startCluster, startManager, type Cluster } from './harness.ts';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.close();
});

test('a node that fails every daemon pod gets replacements after a doubling back-off', async () => {
  const { client, url } = cluster;
  await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bad', labels: { 'kubernetes.io/hostname': 'bad' } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  // The failing "kubelet": every pod it sees is bound and marked Failed; it records when each was created.
  const created: { name: string; at: number }[] = [];
  const failer = new Informer(client, PODS, { namespace: 'default', onError: () => {} });
  const seen = new Set<string>();
  failer.addEventHandler({
    onAdd: (p: KubeObject) => {
      if (seen.has(p.metadata.uid!)) return;
      seen.add(p.metadata.uid!);
      created.push({ name: p.metadata.name!, at: Date.now() });
      void client.patch(PODS, 'default', p.metadata.name!, { status: { phase: 'Failed', reason: 'NodeAffinity', message: 'Pod was rejected', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: formatTime() }] } }, 'merge', { subresource: 'status' }).catch(() => {});
    },
  });
  failer.start();
  await failer.waitForSync();
  const manager = startManager(url, { controllers: ['daemonset'] });
  try {
    await client.create(DAEMON_SETS, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } } },
    });
    await until('five daemon pods, each a replacement of a failed one', () => created.length >= 5, 30_000);
    // As in Kubernetes, the first failed pod is deleted at once and starts the back-off; each
    // later one is deleted only once it has run out: 1 s, then 2 s, then 4 s. The back-off starts at
    // the sync that deletes pod k (after this test saw pod k created and failed it), and pod k+1's
    // deletion comes after it; pod k+2 is created after that deletion (one watch, in order). So pod
    // k+2 appears at least the back-off after pod k did, with no allowance: the gap between
    // consecutive creations is not the back-off (it is shorter by a delete-and-create round trip,
    // which under CI's load exceeded a 100 ms allowance).
    const span = (k: number) => created[k + 2].at - created[k].at;
    expect(span(0)).toBeGreaterThanOrEqual(1_000);
    expect(span(1)).toBeGreaterThanOrEqual(2_000);
    expect(span(2)).toBeGreaterThanOrEqual(4_000);
    // Not one more than the back-off allows meanwhile.
    expect(created.length).toBe(5);
    const events = (await client.list(EVENTS, { namespace: 'default', fieldSelector: 'involvedObject.name=agent,reason=FailedDaemonPod' })).items;
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].type).toBe('Warning');
    expect(events[0].message).toMatch(/^Found failed daemon pod default\/agent-\w+ on node bad, will try to kill it$/);
  } finally {
    await manager.stop();
    failer.stop();
  }
}, 40_000);
