// StatefulSets on hollow nodes (the simulated runtime), driven by the real kubectl: ordered
// creation with stable names, claims and DNS identities; never two pods of one ordinal at once;
// ordered scale-down; RollingUpdate with a partition; history and undo; Parallel; the claim
// retention policy.
import { PERSISTENT_VOLUME_CLAIMS, STATEFUL_SETS, type KubeObject } from '@skiff/api';
import { Informer } from '@skiff/client';
import { isReady, listPods, PODS, until } from '../support/cluster.ts';
import { useHollowCluster } from '../support/use-cluster.ts';

const cluster = useHollowCluster('sts-sim', 3, 22);

function stsYaml(name: string, o: { replicas: number; policy?: 'Parallel'; retention?: string; v?: string }): string {
  return `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { clusterIP: None, selector: { app: ${name} }, ports: [{ port: 80 }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ${name} }
spec:
  serviceName: ${name}
  replicas: ${o.replicas}
  ${o.policy ? `podManagementPolicy: ${o.policy}` : ''}
  ${o.retention ? `persistentVolumeClaimRetentionPolicy: ${o.retention}` : ''}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - { name: main, image: skiff/busybox:1, command: [sleep, '100000'], env: [{ name: V, value: '${o.v ?? '1'}' }] }
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Mi } } }
`;
}

const envOf = (p: KubeObject) => p.spec?.containers?.[0]?.env?.find((e: { name: string }) => e.name === 'V')?.value;
const active = async (app: string) => (await listPods(cluster.client, 'default', `app=${app}`)).filter((p) => !p.metadata.deletionTimestamp);

/**
 * Watches a set's pods: fails on a second pod of one ordinal while the first exists, and (for
 * OrderedReady) on a pod created while a lower ordinal is not Ready.
 */
function watchOrdinals(app: string, ordered: boolean) {
  const informer = new Informer(cluster.client, PODS, { namespace: 'default', labelSelector: `app=${app}`, onError: () => {} });
  const violations: string[] = [];
  const created: string[] = [];
  informer.addEventHandler({
    onAdd: (pod) => {
      const name = pod.metadata.name!;
      created.push(name);
      const same = informer.store.list().filter((p) => p.metadata.name === name && p.metadata.uid !== pod.metadata.uid);
      if (same.length > 0) violations.push(`two pods named ${name}`);
      if (ordered) {
        const ord = Number(name.slice(app.length + 1));
        for (let i = 0; i < ord; i++) {
          const lower = informer.store.getByName('default', `${app}-${i}`);
          if (!lower || !isReady(lower)) violations.push(`${name} created while ${app}-${i} not ready`);
        }
      }
    },
  });
  informer.start();
  return { informer, violations, created, stop: () => informer.stop() };
}

test('OrderedReady: ordered creation, own claims, identity; deleted pods come back with their claim; ordered scale-down; partitioned rolling update; history and undo', async () => {
  const { client, kubectl } = cluster;
  const watch = watchOrdinals('web', true);
  await watch.informer.waitForSync();
  await kubectl.ok(['apply', '-f', '-'], stsYaml('web', { replicas: 3 }));
  await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=60s']);
  expect(watch.created).toEqual(['web-0', 'web-1', 'web-2']);
  let pods = await active('web');
  for (const p of pods) {
    expect(p.spec.hostname).toBe(p.metadata.name);
    expect(p.spec.subdomain).toBe('web');
    expect(p.spec.volumes).toEqual(expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: `data-${p.metadata.name}` } }]));
    expect(p.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': p.metadata.name, 'apps.kubernetes.io/pod-index': p.metadata.name!.slice(4) });
  }
  const claims = await until('3 bound claims', async () => {
    const cs = (await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: 'default', labelSelector: 'app=web' })).items;
    return cs.length === 3 && cs.every((c) => c.status?.phase === 'Bound') && cs;
  }, 30_000);
  expect(claims.map((c) => c.metadata.name).sort()).toEqual(['data-web-0', 'data-web-1', 'data-web-2']);
  expect(await kubectl.ok(['get', 'sts', 'web', '--no-headers'])).toMatch(/^web\s+3\/3\s+\S+\s*$/);
  expect(await kubectl.ok(['get', 'sts', 'web', '-o', 'wide', '--no-headers'])).toMatch(/^web\s+3\/3\s+\S+\s+main\s+skiff\/busybox:1\s*$/);

  // A deleted pod comes back with the same name and claim.
  const old1 = pods.find((p) => p.metadata.name === 'web-1')!;
  await kubectl.ok(['delete', 'pod', 'web-1', '--wait=false']);
  const new1 = await until('web-1 recreated', async () => {
    const p = await client.get(PODS, 'default', 'web-1').catch(() => undefined);
    return p && p.metadata.uid !== old1.metadata.uid && isReady(p) && p;
  }, 30_000);
  expect(new1.spec.volumes).toEqual(expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }]));

  // Partitioned rolling update: only ordinals >= 1 move; then all.
  await kubectl.ok(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}']);
  await kubectl.ok(['set', 'env', 'sts/web', 'V=2']);
  expect(await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=60s'])).toMatch(/partitioned roll out complete: 2 new pods have been updated/);
  pods = await active('web');
  expect(Object.fromEntries(pods.map((p) => [p.metadata.name, envOf(p)]))).toEqual({ 'web-0': '1', 'web-1': '2', 'web-2': '2' });
  await kubectl.ok(['patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']);
  // kubectl reports any set with a partition field (0 included) as partitioned.
  expect(await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=60s'])).toMatch(/partitioned roll out complete: 3 new pods have been updated/);
  pods = await active('web');
  expect(pods.map(envOf)).toEqual(['2', '2', '2']);
  // Once every pod is at the update revision and ready, it becomes the current one.
  await until('currentRevision = updateRevision', async () => {
    const s = (await client.get(STATEFUL_SETS, 'default', 'web')).status;
    return s.currentRevision === s.updateRevision && s.currentReplicas === 3;
  }, 10_000);

  expect(await kubectl.ok(['rollout', 'history', 'sts/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\s*\n1\s+<none>\s*\n2\s+<none>/);
  await kubectl.ok(['rollout', 'undo', 'sts/web']);
  await until('every pod back at V=1', async () => {
    const ps = await active('web');
    return ps.length === 3 && ps.every((p) => envOf(p) === '1' && isReady(p));
  }, 60_000);
  await kubectl.ok(['rollout', 'status', 'sts/web', '--timeout=60s']);
  expect(await kubectl.ok(['rollout', 'history', 'sts/web'])).toMatch(/\n2\s+<none>\s*\n3\s+<none>/);

  // Scale down: highest ordinal first; claims retained (whenScaled: Retain).
  const deleted: string[] = [];
  watch.informer.addEventHandler({ onDelete: (p) => deleted.push(p.metadata.name!) });
  await kubectl.ok(['scale', 'sts/web', '--replicas=1']);
  await until('one pod left', async () => (await listPods(client, 'default', 'app=web')).length === 1, 30_000);
  expect(deleted.slice(-2)).toEqual(['web-2', 'web-1']);
  expect((await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: 'default', labelSelector: 'app=web' })).items).toHaveLength(3);
  expect(await kubectl.ok(['describe', 'sts', 'web'])).toMatch(/Pods Status:\s+1 Running/);
  watch.stop();
  expect(watch.violations).toEqual([]);
}, 240_000);

test('Parallel creates all at once; whenScaled/whenDeleted Delete remove the claims with the pods and the set', async () => {
  const { client, kubectl } = cluster;
  const watch = watchOrdinals('par', false);
  await watch.informer.waitForSync();
  await kubectl.ok(['apply', '-f', '-'], stsYaml('par', { replicas: 3, policy: 'Parallel', retention: '{ whenScaled: Delete, whenDeleted: Delete }' }));
  await kubectl.ok(['rollout', 'status', 'sts/par', '--timeout=60s']);
  const claimsOf = async () => (await client.list(PERSISTENT_VOLUME_CLAIMS, { namespace: 'default', labelSelector: 'app=par' })).items.map((c) => c.metadata.name).sort();
  await until('3 claims', async () => (await claimsOf()).length === 3, 30_000);

  await kubectl.ok(['scale', 'sts/par', '--replicas=2']);
  await until('the scaled-away claim deleted', async () => JSON.stringify(await claimsOf()) === JSON.stringify(['data-par-0', 'data-par-1']), 30_000);

  await kubectl.ok(['delete', 'sts', 'par']);
  await until('pods and claims gone', async () => (await listPods(client, 'default', 'app=par')).length === 0 && (await claimsOf()).length === 0, 30_000);
  watch.stop();
  expect(watch.violations).toEqual([]);
}, 120_000);
