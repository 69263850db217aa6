// DaemonSets on hollow nodes (the simulated runtime), driven by the real kubectl: one pod on every
// eligible node (nodeSelector, taints, a cordoned node through the default tolerations), placed by
// the scheduler through node affinity on the node's name; a rolling update; history and undo.
import { DAEMON_SETS, type KubeObject } from '@skiff/api';
import { Informer } from '@skiff/client';
import { isReady, listPods, until } from '../support/cluster.ts';
import { useHollowCluster } from '../support/use-cluster.ts';

const cluster = useHollowCluster('ds-sim', 4, 21);

const DS_YAML = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agents }
spec:
  selector: { matchLabels: { app: agents } }
  template:
    metadata: { labels: { app: agents } }
    spec:
      nodeSelector: { role: worker }
      containers:
        - { name: main, image: skiff/busybox:1, command: [sleep, '100000'], env: [{ name: V, value: '1' }] }
`;

const activePods = async () => (await listPods(cluster.client, 'default', 'app=agents')).filter((p) => !p.metadata.deletionTimestamp);
const envOf = (p: KubeObject) => p.spec?.containers?.[0]?.env?.find((e: { name: string }) => e.name === 'V')?.value;

test('one pod on every eligible node, placed by the scheduler; rolling update, history and undo with kubectl', async () => {
  const { client, kubectl } = cluster;
  const [n1, n2, n3, n4] = cluster.nodes.map((n) => n.name);
  // Workers 1-3; worker 3 tainted (the daemon does not tolerate it); worker 2 cordoned (it does).
  for (const n of [n1, n2, n3]) await kubectl.ok(['label', 'node', n, 'role=worker']);
  await kubectl.ok(['taint', 'node', n3, 'dedicated=db:NoSchedule']);
  await kubectl.ok(['cordon', n2]);

  await kubectl.ok(['apply', '-f', '-'], DS_YAML);
  await kubectl.ok(['rollout', 'status', 'ds/agents', '--timeout=60s']);
  let pods = await activePods();
  expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual([n1, n2]);
  for (const p of pods) {
    // The scheduler bound it, to the node its affinity names.
    const terms = p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }]);
    expect(p.spec.tolerations).toEqual(expect.arrayContaining([{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }]));
    expect(p.metadata.labels?.['controller-revision-hash']).toMatch(/^[a-z0-9]+$/);
    expect(isReady(p)).toBe(true);
  }
  expect(await kubectl.ok(['get', 'ds', 'agents', '--no-headers'])).toMatch(/^agents\s+2\s+2\s+2\s+2\s+2\s+role=worker\s+\S+\s*$/);
  expect(await kubectl.ok(['get', 'ds', 'agents', '-o', 'wide', '--no-headers'])).toMatch(/main\s+skiff\/busybox:1\s+app=agents/);

  // A node that becomes eligible gets its pod.
  await kubectl.ok(['label', 'node', n4, 'role=worker']);
  await until('a pod on the newly labelled node', async () => (await activePods()).some((p) => p.spec?.nodeName === n4 && isReady(p)), 30_000);
  await kubectl.ok(['rollout', 'status', 'ds/agents', '--timeout=60s']);

  // Rolling update (maxUnavailable 1): never more than one node without an available pod.
  const watcher = new Informer(client, { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' }, { namespace: 'default', labelSelector: 'app=agents', onError: () => {} });
  let worst = 0;
  const check = () => {
    const ready = new Set(watcher.store.list().filter((p) => !p.metadata.deletionTimestamp && isReady(p)).map((p) => p.spec?.nodeName));
    worst = Math.max(worst, 3 - ready.size);
  };
  watcher.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  watcher.start();
  await watcher.waitForSync();
  // Count from the synced state on (the initial list arrives one pod at a time).
  worst = 0;
  check();
  expect(worst).toBe(0);
  await kubectl.ok(['set', 'env', 'ds/agents', 'V=2']);
  await kubectl.ok(['rollout', 'status', 'ds/agents', '--timeout=60s']);
  watcher.stop();
  expect(worst).toBeLessThanOrEqual(1);
  pods = await activePods();
  expect(pods.map(envOf)).toEqual(['2', '2', '2']);

  const history = await kubectl.ok(['rollout', 'history', 'ds/agents']);
  expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
  expect(await kubectl.ok(['rollout', 'history', 'ds/agents', '--revision=1'])).toMatch(/V:\s+1/);
  expect(await kubectl.ok(['get', 'controllerrevisions', '--no-headers'])).toMatch(/agents-\S+\s+daemonset\.apps\/agents\s+2/);

  await kubectl.ok(['rollout', 'undo', 'ds/agents']);
  await until('every pod back at V=1', async () => {
    const ps = await activePods();
    return ps.length === 3 && ps.every((p) => envOf(p) === '1' && isReady(p));
  }, 60_000);
  await kubectl.ok(['rollout', 'status', 'ds/agents', '--timeout=60s']);
  // The old revision was renumbered, not copied.
  expect(await kubectl.ok(['rollout', 'history', 'ds/agents'])).toMatch(/REVISION\s+CHANGE-CAUSE\s*\n2\s+<none>\s*\n3\s+<none>/);
  const ds = await client.get(DAEMON_SETS, 'default', 'agents');
  expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0 });

  // A node no longer eligible loses its pod; a deleted node's pod goes too.
  await kubectl.ok(['label', 'node', n4, 'role-']);
  await until('no pod on the unlabelled node', async () => !(await activePods()).some((p) => p.spec?.nodeName === n4), 30_000);
  expect((await kubectl.ok(['describe', 'ds', 'agents']))).toMatch(/Desired Number of Nodes Scheduled: 2/);

  // Orphaned by a non-cascading delete, the pods are adopted by the DaemonSet made again: none replaced.
  const before = (await activePods()).map((p) => p.metadata.uid).sort();
  await kubectl.ok(['delete', 'ds', 'agents', '--cascade=orphan']);
  await until('the pods orphaned', async () => (await activePods()).every((p) => !(p.metadata.ownerReferences ?? []).length), 30_000);
  await kubectl.ok(['apply', '-f', '-'], DS_YAML);
  const ds2 = await until('a new DaemonSet', async () => (await client.get(DAEMON_SETS, 'default', 'agents').catch(() => undefined)) ?? false, 10_000);
  await until('the pods adopted', async () => (await activePods()).every((p) => p.metadata.ownerReferences?.[0]?.uid === ds2.metadata.uid), 30_000);
  await kubectl.ok(['rollout', 'status', 'ds/agents', '--timeout=60s']);
  expect((await activePods()).map((p) => p.metadata.uid).sort()).toEqual(before);
}, 180_000);
