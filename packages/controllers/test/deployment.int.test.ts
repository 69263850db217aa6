// Deployment controller against a real API server, observed by a watcher and by the real kubectl.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTime, type KubeObject } from '@skiff/api';
import { Informer } from '@skiff/client';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../src/lib/resources.ts';
import { deploymentManifest, isActive, isReady, kubectl, startCluster, startManager, startSimulatedKubelet, type Cluster } from './harness.ts';
import { until } from '@skiff/apiserver/testing';
import type { ControllerManager } from '../src/index.ts';

let cluster: Cluster;
let manager: ControllerManager;
let kubelet: { stop(): void };
let cacheDir: string;

beforeAll(async () => {
  cluster = await startCluster();
  kubelet = startSimulatedKubelet(cluster.client, { neverReady: ['never-ready'], readyDelayMs: 30 });
  manager = startManager(cluster.url, { controllers: ['replicaset', 'deployment', 'garbagecollector'] });
  cacheDir = mkdtempSync(join(tmpdir(), 'kubectl-cache-'));
});
afterAll(async () => {
  await manager.stop();
  kubelet.stop();
  await cluster.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function waitComplete(name: string, replicas: number, timeoutMs = 20_000): Promise<KubeObject> {
  return until(`deployment ${name} complete`, async () => {
    const d = await cluster.client.get(DEPLOYMENTS, 'default', name);
    const s = d.status ?? {};
    const done = s.observedGeneration >= d.metadata.generation! && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
    return done ? d : undefined;
  }, timeoutMs);
}

async function setImage(name: string, image: string): Promise<void> {
  await cluster.client.patch(DEPLOYMENTS, 'default', name, { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } }, 'strategic');
}

test('rolling update of 10 with maxSurge 3 / maxUnavailable 2: never more than 13 pods nor fewer than 8 available', async () => {
  const { client } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest('roll', { replicas: 10, maxSurge: 3, maxUnavailable: 2 }));
  await waitComplete('roll', 10);

  const watcher = new Informer(client, PODS, { namespace: 'default', labelSelector: 'app=roll', onError: () => {} });
  let maxPods = 0;
  let minAvailable = Infinity;
  let events = 0;
  const check = () => {
    events++;
    const pods = watcher.store.list().filter(isActive);
    maxPods = Math.max(maxPods, pods.length);
    minAvailable = Math.min(minAvailable, pods.filter(isReady).length);
  };
  watcher.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  watcher.start();
  await watcher.waitForSync();
  // Count from the synced state on (the initial list arrives one pod at a time).
  maxPods = 0;
  minAvailable = Infinity;
  check();
  expect(minAvailable).toBe(10);

  await setImage('roll', 'web:2');
  const d = await waitComplete('roll', 10);
  await until('only new pods', () => watcher.store.list().filter(isActive).every((p) => p.spec.containers[0].image === 'web:2') && watcher.store.list().filter(isActive).length === 10);
  watcher.stop();

  expect(events).toBeGreaterThan(20);
  expect(maxPods).toBeLessThanOrEqual(13);
  expect(maxPods).toBeGreaterThan(10); // it did surge
  expect(minAvailable).toBeGreaterThanOrEqual(8);
  expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
  const conditions = Object.fromEntries(d.status.conditions.map((c: { type: string; reason: string }) => [c.type, c.reason]));
  expect(conditions).toEqual({ Available: 'MinimumReplicasAvailable', Progressing: 'NewReplicaSetAvailable' });
  const rss = (await client.list(REPLICA_SETS, { namespace: 'default', labelSelector: 'app=roll' })).items;
  expect(rss.map((rs) => [rs.metadata.annotations?.['deployment.kubernetes.io/revision'], rs.spec.replicas]).sort()).toEqual([['1', 0], ['2', 10]]);
});

test('kubectl rollout status reports success; rollout undo restores the previous image', async () => {
  const { client, url } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest('web', { replicas: 3, image: 'web:1' }));
  const first = await kubectl(url, cacheDir, ['rollout', 'status', 'deployment/web', '-n', 'default', '--timeout=30s']);
  expect(first.stdout).toContain('deployment "web" successfully rolled out');
  expect(first.code).toBe(0);

  await setImage('web', 'web:2');
  const second = await kubectl(url, cacheDir, ['rollout', 'status', 'deployment/web', '-n', 'default', '--timeout=30s']);
  expect(second.stdout).toContain('successfully rolled out');
  await waitComplete('web', 3);

  const undo = await kubectl(url, cacheDir, ['rollout', 'undo', 'deployment/web', '-n', 'default']);
  expect(undo.stderr).toBe('');
  expect(undo.stdout).toContain('rolled back');
  const third = await kubectl(url, cacheDir, ['rollout', 'status', 'deployment/web', '-n', 'default', '--timeout=30s']);
  expect(third.stdout).toContain('successfully rolled out');
  const d = await waitComplete('web', 3);
  expect(d.spec.template.spec.containers[0].image).toBe('web:1');
  expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
  const pods = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=web' })).items.filter(isActive);
  expect(pods.map((p) => p.spec.containers[0].image)).toEqual(['web:1', 'web:1', 'web:1']);
});

test('an exceeded progress deadline makes kubectl rollout status fail', async () => {
  const { client, url } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest('stuck', { replicas: 2, image: 'never-ready:1', progressDeadlineSeconds: 2 }));
  const r = await kubectl(url, cacheDir, ['rollout', 'status', 'deployment/stuck', '-n', 'default', '--timeout=30s']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('exceeded its progress deadline');
  const d = await client.get(DEPLOYMENTS, 'default', 'stuck');
  const progressing = d.status.conditions.find((c: { type: string }) => c.type === 'Progressing');
  expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  expect(d.status.unavailableReplicas).toBe(2);
});

test('Recreate takes every old pod down before the new ones come up', async () => {
  const { client } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest('recreate', { replicas: 3, strategy: 'Recreate' }));
  await waitComplete('recreate', 3);
  const watcher = new Informer(client, PODS, { namespace: 'default', labelSelector: 'app=recreate', onError: () => {} });
  let mixed = false;
  const check = () => {
    const images = new Set(watcher.store.list().filter(isActive).map((p) => p.spec.containers[0].image));
    if (images.size > 1) mixed = true;
  };
  watcher.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  watcher.start();
  await watcher.waitForSync();
  await setImage('recreate', 'web:2');
  await waitComplete('recreate', 3);
  watcher.stop();
  expect(mixed).toBe(false);
});

test('kubectl rollout restart rolls through the ordinary reconcile; describe shows the scaling events', async () => {
  const { client, url } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest('restart', { replicas: 2 }));
  await waitComplete('restart', 2);
  const before = new Set((await client.list(PODS, { namespace: 'default', labelSelector: 'app=restart' })).items.map((p) => p.metadata.uid));
  const r = await kubectl(url, cacheDir, ['rollout', 'restart', 'deployment/restart', '-n', 'default']);
  expect(r.stdout).toContain('restarted');
  const st = await kubectl(url, cacheDir, ['rollout', 'status', 'deployment/restart', '-n', 'default', '--timeout=30s']);
  expect(st.stdout).toContain('successfully rolled out');
  await waitComplete('restart', 2);
  const after = (await client.list(PODS, { namespace: 'default', labelSelector: 'app=restart' })).items.filter(isActive);
  expect(after.every((p) => !before.has(p.metadata.uid))).toBe(true);
  const describe = await kubectl(url, cacheDir, ['describe', 'deployment', 'restart', '-n', 'default']);
  expect(describe.stdout).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set restart-\w+ from 0 to 2/);
  expect(describe.stdout).toMatch(/NewReplicaSet:\s+restart-\w+ \(2\/2 replicas created\)/);
});

test('a paused deployment does not roll; resuming does', async () => {
  const { client } = cluster;
  await client.create(DEPLOYMENTS, deploymentManifest('paused', { replicas: 2 }));
  await waitComplete('paused', 2);
  await client.patch(DEPLOYMENTS, 'default', 'paused', { spec: { paused: true } }, 'merge');
  await setImage('paused', 'web:2');
  await until('paused condition', async () => {
    const d = await client.get(DEPLOYMENTS, 'default', 'paused');
    return d.status.observedGeneration === d.metadata.generation && d.status.conditions.some((c: { reason: string }) => c.reason === 'DeploymentPaused');
  });
  expect((await client.list(REPLICA_SETS, { namespace: 'default', labelSelector: 'app=paused' })).items).toHaveLength(1);
  await client.patch(DEPLOYMENTS, 'default', 'paused', { spec: { paused: false } }, 'merge');
  const d = await waitComplete('paused', 2);
  expect(d.spec.template.spec.containers[0].image).toBe('web:2');
});

test('minReadySeconds delays availability; revisionHistoryLimit prunes old ReplicaSets; kubectl scale', async () => {
  const { client, url } = cluster;
  const manifest = deploymentManifest('hist', { replicas: 2, minReadySeconds: 1 });
  manifest.spec.revisionHistoryLimit = 1;
  await client.create(DEPLOYMENTS, manifest);
  // Available only minReadySeconds after the pods' Ready transitions (whole seconds, as metav1.Time).
  const readySince = async () =>
    (await client.list(PODS, { namespace: 'default', labelSelector: 'app=hist' })).items.map((p) =>
      parseTime(p.status?.conditions?.find((c: { type: string }) => c.type === 'Ready')?.lastTransitionTime),
    );
  await until('pods ready', async () => (await client.get(DEPLOYMENTS, 'default', 'hist')).status?.readyReplicas === 2);
  const early = await client.get(DEPLOYMENTS, 'default', 'hist');
  const earlyAt = Date.now();
  if (earlyAt - Math.min(...(await readySince())) < 900) expect(early.status.availableReplicas ?? 0).toBe(0);
  await waitComplete('hist', 2);
  expect(Date.now() - Math.max(...(await readySince()))).toBeGreaterThanOrEqual(1000);

  for (const image of ['web:2', 'web:3']) {
    await setImage('hist', image);
    await waitComplete('hist', 2);
  }
  await until('history pruned to one old ReplicaSet', async () => (await client.list(REPLICA_SETS, { namespace: 'default', labelSelector: 'app=hist' })).items.length === 2);
  const revisions = (await client.list(REPLICA_SETS, { namespace: 'default', labelSelector: 'app=hist' })).items.map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort();
  expect(revisions).toEqual(['2', '3']);

  const scaled = await kubectl(url, cacheDir, ['scale', 'deployment/hist', '-n', 'default', '--replicas=4']);
  expect(scaled.stdout).toContain('scaled');
  await waitComplete('hist', 4);
}, 60_000);
