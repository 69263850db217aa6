// ConfigMaps, Secrets and PersistentVolumeClaims as volumes on real Docker: a multi-container
// application using every volume kind, a ConfigMap update seen in place inside a running pod, and
// claim data that survives container restarts, pod deletion and rescheduling, and agent restarts,
// a claim deleted while in use kept until its pods are gone (pvc-protection), and the Delete and
// Retain reclaim policies.
import { CONFIG_MAPS as CM, PERSISTENT_VOLUME_CLAIMS as PVCS, PERSISTENT_VOLUMES as PVS, SECRETS, STORAGE_CLASSES as CLASSES, type KubeObject } from '@skiff/api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerIds, getPod, PODS, podEvents, startCluster, until, type TestCluster } from '../support/cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-storage-1', ip: '127.0.17.1' }, { name: 'e2e-storage-2', ip: '127.0.17.2' }];
let cluster: TestCluster;
let hostRoot: string;

// The Docker volumes this file's nodes provisioned (the Retain test keeps one on purpose).
const nodeVolumes = async () => {
  const out: string[] = [];
  for (const n of NODES) out.push(...(await docker(['volume', 'ls', '-q', '--filter', `label=dev.skiff.node=${n.name}`])).split('\n').filter(Boolean));
  return out;
};
beforeAll(async () => {
  for (const v of await nodeVolumes()) await docker(['volume', 'rm', '-f', v]); // left by an interrupted run
  hostRoot = mkdtempSync(join(tmpdir(), 'skiff-e2e-storage-'));
  cluster = await startCluster({ nodes: NODES });
}, 30_000);
afterAll(async () => {
  await cluster?.close();
  for (const v of await nodeVolumes()) await docker(['volume', 'rm', '-f', v]);
  rmSync(hostRoot, { recursive: true, force: true });
}, 30_000);

const exec = async (pod: string, container: string, script: string) => {
  const r = await cluster.kubectl.run(['exec', pod, '-c', container, '--', 'sh', '-c', script]);
  if (process.env.SKIFF_E2E_LOG) process.stderr.write(`exec ${pod}/${container} ${script}: ${JSON.stringify(r)}\n`);
  return r;
};
const running = async (name: string) => {
  let last: KubeObject | undefined;
  try {
    return await until(`${name} Running`, async () => {
      const p = (last = await getPod(cluster.client, NS, name));
      return p.status?.phase === 'Running' && ((p.status.containerStatuses ?? []) as { ready: boolean }[]).every((c) => c.ready) ? p : undefined;
    }, 30_000);
  } catch (err) {
    // What the pod was doing, for whoever reads the failure.
    throw new Error(`${(err as Error).message}\nstatus: ${JSON.stringify(last?.status)}\nevents: ${JSON.stringify((await podEvents(cluster.client, NS, name)).map((e) => `${e.reason}: ${e.message}`))}`);
  }
};
const deletePod = async (name: string) => {
  await cluster.client.delete(PODS, NS, name, { gracePeriodSeconds: 0 });
  await until(`${name}'s containers removed`, async () => (await dockerIds(['--filter', `label=io.kubernetes.pod.name=${name}`])).length === 0);
};
const claim = (name: string, storageClassName?: string, accessModes = ['ReadWriteOnce']) =>
  cluster.client.create(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS }, spec: { accessModes, storageClassName, resources: { requests: { storage: '100Mi' } } } } as KubeObject);
const claimPod = (name: string, claimName: string, spec: Record<string, unknown> = {}) =>
  cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { terminationGracePeriodSeconds: 0, volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }], containers: [{ name: 'main', image: 'skiff/busybox:1', command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }], ...spec },
  } as KubeObject);

test('a multi-container application with configMap, secret, downwardAPI, projected, emptyDir, hostPath and claim volumes and secret env; a ConfigMap update is seen in place', async () => {
  await cluster.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: NS }, data: { 'app.conf': 'color=blue\n', 'version': '1' } } as unknown as KubeObject);
  await cluster.client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: NS }, type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } } as unknown as KubeObject);
  await claim('app-data');
  await cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: NS, labels: { tier: 'web' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      volumes: [
        { name: 'config', configMap: { name: 'app-config' } },
        { name: 'secret', secret: { secretName: 'app-secret', defaultMode: 0o400 } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'all', projected: { sources: [{ configMap: { name: 'app-config', items: [{ key: 'version', path: 'v' }] } }, { secret: { name: 'app-secret', items: [{ key: 'password', path: 'pw' }] } }] } },
        { name: 'optional', configMap: { name: 'does-not-exist', optional: true } },
        { name: 'scratch', emptyDir: {} },
        { name: 'data', persistentVolumeClaim: { claimName: 'app-data' } },
        { name: 'host', hostPath: { path: join(hostRoot, 'made'), type: 'DirectoryOrCreate' } },
      ],
      containers: [
        {
          name: 'web',
          image: 'skiff/busybox:1',
          command: ['sh', '-c', 'cp /etc/app/app.conf /scratch/copied; echo saved > /data/state; sleep 3600'],
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } }],
          volumeMounts: [{ name: 'config', mountPath: '/etc/app' }, { name: 'secret', mountPath: '/etc/secret' }, { name: 'scratch', mountPath: '/scratch' }, { name: 'data', mountPath: '/data' }, { name: 'optional', mountPath: '/opt/none' }],
        },
        {
          name: 'sidecar',
          image: 'skiff/busybox:1',
          command: ['sleep', '3600'],
          volumeMounts: [{ name: 'info', mountPath: '/etc/info' }, { name: 'all', mountPath: '/etc/all' }, { name: 'scratch', mountPath: '/scratch' }, { name: 'config', mountPath: '/etc/app.conf', subPath: 'app.conf' }, { name: 'host', mountPath: '/host' }],
        },
      ],
    },
  } as KubeObject);
  const p = await running('app');
  if (process.env.SKIFF_E2E_LOG) {
    await exec('app', 'web', 'ls -la /etc/app /etc/app/..data/');
    const [wid] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=app', '--filter', 'label=io.kubernetes.container.name=web']);
    process.stderr.write(`exec MOUNTS ${await docker(['inspect', '-f', '{{json .Mounts}}', wid])}\n`);
  }
  expect((await exec('app', 'web', 'cat /etc/app/app.conf /etc/app/version')).stdout).toBe('color=blue\n1');
  expect((await exec('app', 'web', 'cat /etc/secret/password; stat -L -c " %a" /etc/secret/password')).stdout).toBe('hunter2 400\n');
  expect((await exec('app', 'web', 'echo "$PASSWORD"')).stdout).toBe('hunter2\n');
  // hostPath DirectoryOrCreate made the directory on the node; what the pod writes there is the host's.
  await exec('app', 'sidecar', 'echo from-pod > /host/note');
  expect(readFileSync(join(hostRoot, 'made', 'note'), 'utf8')).toBe('from-pod\n');
  expect((await exec('app', 'sidecar', 'cat /etc/info/labels /etc/all/v /etc/all/pw /etc/app.conf')).stdout).toBe('tier="web"1hunter2color=blue\n');
  expect((await until('the copy in the shared emptyDir', async () => (await exec('app', 'sidecar', 'cat /scratch/copied')).stdout || undefined))).toBe('color=blue\n');
  // Secret, downwardAPI and projected files are on a tmpfs; all of them are mounted read-only.
  const mounts = (await exec('app', 'web', 'cat /proc/mounts')).stdout;
  expect(mounts).toMatch(/^tmpfs \/etc\/secret tmpfs ro[, ]/m);
  expect(mounts).toMatch(/ \/etc\/app \S+ ro[, ]/m);
  expect((await exec('app', 'web', 'touch /etc/app/x')).stderr).toMatch(/Read-only file system/);
  // An optional ConfigMap that does not exist: an empty volume (only the writer's hidden ..data, as the kubelet's).
  expect((await exec('app', 'web', 'ls /opt/none')).stdout).toBe('');

  // The claim was provisioned on the pod's node and bound.
  const pvc = await until('app-data Bound', async () => {
    const c = await cluster.client.get(PVCS, NS, 'app-data');
    return c.status?.phase === 'Bound' ? c : undefined;
  });
  const pv = await cluster.client.get(PVS, '', pvc.spec.volumeName);
  expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toEqual({ key: 'kubernetes.io/hostname', operator: 'In', values: [p.spec.nodeName] });
  expect(pvc.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe(p.spec.nodeName);
  expect(await cluster.kubectl.ok(['get', 'pvc', 'app-data', '--no-headers'])).toMatch(/^app-data\s+Bound\s+pvc-\S+\s+100Mi\s+RWO\s+local/);

  // An update of the ConfigMap shows in the running pod within seconds, through a new ..data.
  const before = (await exec('app', 'web', 'readlink /etc/app/..data')).stdout;
  await cluster.client.patch(CM, NS, 'app-config', { data: { 'app.conf': 'color=green\n', version: '2' } }, 'merge');
  const seen = await until('the update inside the pod', async () => {
    const out = (await exec('app', 'web', 'cat /etc/app/..data/app.conf /etc/app/..data/version')).stdout;
    return out === 'color=green\n2' ? out : undefined;
  }, { timeoutMs: 10_000, intervalMs: 200 });
  expect(seen).toBe('color=green\n2');
  expect((await exec('app', 'web', 'readlink /etc/app/..data')).stdout).not.toBe(before);
  expect((await exec('app', 'sidecar', 'cat /etc/all/v')).stdout).toBe('2');
  // A subPath mount is a copy of the moment (as in Kubernetes): it keeps the old content.
  expect((await exec('app', 'sidecar', 'cat /etc/app.conf')).stdout).toBe('color=blue\n');
  // Labels change in place too (downwardAPI).
  await cluster.client.patch(PODS, NS, 'app', { metadata: { labels: { tier: 'api' } } }, 'merge');
  await until('the new label inside the pod', async () => (await exec('app', 'sidecar', 'cat /etc/info/labels')).stdout === 'tier="api"');
  await deletePod('app');
}, 90_000);

test('a missing ConfigMap holds the pod with FailedMount until it is created', async () => {
  await cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'waits', namespace: NS },
    spec: { terminationGracePeriodSeconds: 0, volumes: [{ name: 'c', configMap: { name: 'later' } }], containers: [{ name: 'main', image: 'skiff/busybox:1', command: ['sleep', '3600'], volumeMounts: [{ name: 'c', mountPath: '/c' }] }] },
  } as KubeObject);
  const ev = await until('FailedMount', async () => (await podEvents(cluster.client, NS, 'waits')).find((e) => e.reason === 'FailedMount'));
  expect(ev.message).toBe('MountVolume.SetUp failed for volume "c" : configmap "later" not found');
  await cluster.client.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: NS }, data: { k: 'v' } } as unknown as KubeObject);
  await running('waits');
  expect((await exec('waits', 'main', 'cat /c/k')).stdout).toBe('v');
  await deletePod('waits');
}, 60_000);

test('claim data survives container restarts, pod deletion and rescheduling, and agent restarts; the claim keeps its pods on its node; deleted in use, it stays until its pods are gone', async () => {
  await claim('keep-me');
  await claimPod('writer', 'keep-me');
  const first = await running('writer');
  await exec('writer', 'main', 'echo precious > /data/file');
  const node = first.spec.nodeName as string;
  // The container dies and is restarted: the data is there.
  const [id] = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=writer']);
  await docker(['rm', '-f', id]);
  // Bounded like running(): noticing the removal (a relist a second), making a new container on the
  // claim and passing readiness took over 10 s under CI's load.
  await until('writer restarted', async () => ((await getPod(cluster.client, NS, 'writer')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && (await running('writer')), 30_000);
  expect((await exec('writer', 'main', 'cat /data/file')).stdout).toBe('precious\n');
  await deletePod('writer');
  // New pods of the claim go to its node, whatever their order, and find the data.
  for (const name of ['reader-1', 'reader-2']) {
    await claimPod(name, 'keep-me');
    const p = await running(name);
    expect(p.spec.nodeName).toBe(node);
    expect((await exec(name, 'main', 'cat /data/file')).stdout).toBe('precious\n');
  }
  // A pod of the claim that may only run on the other node is unschedulable, for the volume's sake.
  const other = NODES.find((n) => n.name !== node)!.name;
  await claimPod('elsewhere', 'keep-me', { nodeSelector: { 'kubernetes.io/hostname': other } });
  const ev = await until('FailedScheduling', async () => (await podEvents(cluster.client, NS, 'elsewhere')).find((e) => e.reason === 'FailedScheduling'));
  expect(ev.message).toMatch(/0\/2 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 1 node\(s\) had volume node affinity conflict/);
  await cluster.client.delete(PODS, NS, 'elsewhere', { gracePeriodSeconds: 0 });
  // The agent restarts: the data is still there for the running pod.
  const i = NODES.findIndex((n) => n.name === node);
  await cluster.stopAgent(i);
  await cluster.startAgent(i);
  expect((await exec('reader-1', 'main', 'cat /data/file')).stdout).toBe('precious\n');

  // The claim deleted while pods use it (pvc-protection): it stays, Terminating, with its data,
  // until its last pod is gone; then reclaimPolicy Delete (class local) removes the volume.
  const pvName = (await cluster.client.get(PVCS, NS, 'keep-me')).spec.volumeName as string;
  expect((await docker(['volume', 'ls', '-q', '--filter', `label=dev.skiff.pv=${pvName}`])).trim()).toBe(pvName);
  await cluster.client.delete(PVCS, NS, 'keep-me');
  const held = await cluster.client.get(PVCS, NS, 'keep-me');
  expect(held.metadata).toMatchObject({ finalizers: ['kubernetes.io/pvc-protection'], deletionTimestamp: expect.any(String) });
  expect(await cluster.kubectl.ok(['get', 'pvc', 'keep-me', '--no-headers'])).toMatch(/^keep-me\s+Terminating\s/);
  await deletePod('reader-1');
  expect((await exec('reader-2', 'main', 'echo more >> /data/file && cat /data/file')).stdout).toBe('precious\nmore\n');
  expect((await cluster.client.get(PVS, '', pvName)).status?.phase).toBe('Bound');
  await deletePod('reader-2');
  await until('the claim gone with its last pod', () => cluster.client.get(PVCS, NS, 'keep-me').then(() => false, () => true));
  await until('the volume and its data deleted', async () => {
    const gone = await cluster.client.get(PVS, '', pvName).then(() => false, () => true);
    return gone && (await docker(['volume', 'ls', '-q', '--filter', `label=dev.skiff.pv=${pvName}`])).trim() === '';
  });
}, 120_000);

test('reclaimPolicy Retain keeps the volume and its data, Released, after the claim is deleted', async () => {
  await cluster.client.create(CLASSES, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'keep' }, provisioner: 'skiff.dev/local', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' } as unknown as KubeObject);
  await claim('retained', 'keep');
  await claimPod('retainer', 'retained');
  await running('retainer');
  await exec('retainer', 'main', 'echo kept > /data/file');
  const pvName = (await until('retained bound', async () => (await cluster.client.get(PVCS, NS, 'retained')).spec.volumeName as string | undefined))!;
  await deletePod('retainer');
  await cluster.client.delete(PVCS, NS, 'retained');
  const pv = await until('the volume Released', async () => {
    const v = await cluster.client.get(PVS, '', pvName);
    return v.status?.phase === 'Released' ? v : undefined;
  });
  expect(pv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
  const mountpoint = (await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', pvName])).trim();
  expect((await docker(['run', '--rm', '-v', `${pvName}:/d`, 'skiff/busybox:1', 'cat', '/d/file'])).toString()).toBe('kept\n');
  expect(mountpoint).toMatch(new RegExp(`${pvName}/_data$`));
}, 60_000);

test('ReadWriteOncePod: a second pod of the claim is unschedulable while the first uses it', async () => {
  await claim('solo', undefined, ['ReadWriteOncePod']);
  await claimPod('solo-1', 'solo');
  await running('solo-1');
  await claimPod('solo-2', 'solo');
  const ev = await until('FailedScheduling', async () => (await podEvents(cluster.client, NS, 'solo-2')).find((e) => e.reason === 'FailedScheduling'));
  expect(ev.message).toMatch(/node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode/);
  await deletePod('solo-1');
  const p = await running('solo-2');
  expect(p.spec.nodeName).toBeDefined();
  await deletePod('solo-2');
}, 60_000);
