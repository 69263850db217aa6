// Disruption budgets on hollow nodes (the simulated runtime), driven by the real kubectl: `create
// pdb` and `get pdb`, the disruption controller's status, `drain` evicting within the budget (a
// watcher never sees fewer Ready pods than minAvailable) while DaemonSet pods stay, and
// `cordon` / `uncordon` with the scheduler honouring spec.unschedulable.
import { NODES, POD_DISRUPTION_BUDGETS, type KubeObject } from '@skiff/api';
import { Informer } from '@skiff/client';
import { isReady, listPods, PODS, until } from '../support/cluster.ts';
import { useHollowCluster } from '../support/use-cluster.ts';

const cluster = useHollowCluster('pdb-sim', 3, 24);

const WORKLOADS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 4
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      volumes: [{ name: scratch, emptyDir: {} }]
      containers:
        - { name: main, image: skiff/busybox:1, command: [sleep, '100000'], volumeMounts: [{ name: scratch, mountPath: /scratch }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agents }
spec:
  selector: { matchLabels: { app: agents } }
  template:
    metadata: { labels: { app: agents } }
    spec:
      containers:
        - { name: main, image: skiff/busybox:1, command: [sleep, '100000'] }
`;

const live = (pods: KubeObject[]) => pods.filter((p) => !p.metadata.deletionTimestamp);
const budget = () => cluster.client.get(POD_DISRUPTION_BUDGETS, 'default', 'web');

test('kubectl create pdb, get pdb and describe; the controller keeps the status; drain evicts within the budget and leaves daemon pods; cordon and uncordon', async () => {
  const { client, kubectl } = cluster;
  // kubectl's generator sends the budget as protobuf.
  expect(await kubectl.ok(['create', 'pdb', 'web', '--selector=app=web', '--min-available=3'])).toMatch(/poddisruptionbudget.policy\/web created/);
  await kubectl.ok(['apply', '-f', '-'], WORKLOADS);
  await kubectl.ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
  await kubectl.ok(['rollout', 'status', 'ds/agents', '--timeout=60s']);
  await until('the budget counted', async () => {
    const s = (await budget()).status;
    return s?.expectedPods === 4 && s.currentHealthy === 4 && s.disruptionsAllowed === 1 && s;
  }, 30_000);
  const b = await budget();
  expect(b.status).toMatchObject({ desiredHealthy: 3, observedGeneration: b.metadata.generation, conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }] });
  expect(await kubectl.ok(['get', 'pdb', '--no-headers'])).toMatch(/^web\s+3\s+N\/A\s+1\s+\S+\s*$/);
  expect(await kubectl.ok(['describe', 'pdb', 'web'])).toMatch(/Min available:\s+3[\s\S]*Allowed disruptions:\s+1/);
  expect(await kubectl.ok(['explain', 'pdb.spec.minAvailable'])).toMatch(/KIND:\s+PodDisruptionBudget\s+VERSION:\s+v1\s+FIELD: minAvailable </);

  // The node running most web pods (4 pods on 3 nodes: at least 2) is drained; drain evicts them
  // in parallel, so one eviction is refused (429) and retried once the replacement is Ready.
  const pods = live(await listPods(client, 'default', 'app=web'));
  const byNode = new Map<string, number>();
  for (const p of pods) byNode.set(p.spec.nodeName, (byNode.get(p.spec.nodeName) ?? 0) + 1);
  const [target] = [...byNode.entries()].sort((a, c) => c[1] - a[1])[0];
  expect(byNode.get(target)).toBeGreaterThanOrEqual(2);
  const daemonPod = live(await listPods(client, 'default', 'app=agents')).find((p) => p.spec.nodeName === target)!;

  // Never fewer Ready web pods than minAvailable, from a watch of every change during the drain.
  const watch = new Informer(client, PODS, { namespace: 'default', labelSelector: 'app=web', onError: () => {} });
  // Counted from the first complete view on (the initial list arrives one pod at a time).
  let synced = false;
  let fewest = Infinity;
  const seen: number[] = [];
  const check = () => {
    if (!synced) return;
    const ready = live(watch.store.list()).filter(isReady).length;
    seen.push(ready);
    fewest = Math.min(fewest, ready);
  };
  watch.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  watch.start();
  await watch.waitForSync();
  synced = true;
  check();
  expect(fewest).toBe(4);
  const drain = await kubectl.run(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s']);
  watch.stop();
  expect(drain.code).toBe(0);
  expect(drain.stdout).toMatch(new RegExp(`node/${target} cordoned`));
  expect(drain.stdout).toMatch(new RegExp(`node/${target} drained`));
  expect(drain.stderr).toMatch(/Warning: ignoring DaemonSet-managed Pods: default\/agents-/);
  expect(drain.stderr).toMatch(/error when evicting pods\/"web-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  expect({ fewest, seen: seen.join(' ') }).toEqual({ fewest: 3, seen: expect.any(String) });

  expect((await client.get(NODES, undefined, target)).spec?.unschedulable).toBe(true);
  const after = live(await listPods(client, 'default', 'app=web'));
  expect(after.filter((p) => p.spec.nodeName === target)).toEqual([]);
  const stillThere = await client.get(PODS, 'default', daemonPod.metadata.name!);
  expect([stillThere.metadata.uid, stillThere.metadata.deletionTimestamp]).toEqual([daemonPod.metadata.uid, undefined]);
  expect(await kubectl.ok(['get', 'node', target, '--no-headers'])).toMatch(/SchedulingDisabled/);

  // Cordoned, the node gets no new pods; uncordoned, it does again.
  await kubectl.ok(['scale', 'deploy/web', '--replicas=7']);
  await kubectl.ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
  expect(live(await listPods(client, 'default', 'app=web')).filter((p) => p.spec.nodeName === target)).toEqual([]);
  expect(await kubectl.ok(['uncordon', target])).toMatch(new RegExp(`node/${target} uncordoned`));
  expect((await client.get(NODES, undefined, target)).spec?.unschedulable).toBeUndefined();
  await kubectl.ok(['scale', 'deploy/web', '--replicas=10']);
  await kubectl.ok(['rollout', 'status', 'deploy/web', '--timeout=60s']);
  expect(live(await listPods(client, 'default', 'app=web')).some((p) => p.spec.nodeName === target)).toBe(true);
  expect(await kubectl.ok(['cordon', target])).toMatch(new RegExp(`node/${target} cordoned`));
  expect((await client.get(NODES, undefined, target)).spec?.unschedulable).toBe(true);
  await kubectl.ok(['uncordon', target]);
}, 180_000);

test('a budget that allows nothing: drain gives up after its timeout, and the pod stays', async () => {
  const { client, kubectl } = cluster;
  await kubectl.ok(['run', 'solo', '--image=skiff/busybox:1', '--labels=app=solo', '--', 'sleep', '100000']);
  await until('solo ready', async () => isReady(await client.get(PODS, 'default', 'solo')), 30_000);
  await kubectl.ok(['create', 'pdb', 'solo', '--selector=app=solo', '--min-available=1']);
  await until('solo budget counted', async () => (await client.get(POD_DISRUPTION_BUDGETS, 'default', 'solo')).status?.expectedPods === 1, 30_000);
  const node = (await client.get(PODS, 'default', 'solo')).spec.nodeName;
  // A bare pod needs --force (kubectl's rule); the budget still holds it.
  const drain = await kubectl.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=8s']);
  expect(drain.code).not.toBe(0);
  expect(drain.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
  expect((await client.get(PODS, 'default', 'solo')).metadata.deletionTimestamp).toBeUndefined();
  await kubectl.ok(['uncordon', node]);
}, 60_000);
