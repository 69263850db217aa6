// The official JavaScript client, @kubernetes/client-node, against a real skiff API server:
// typed calls, and its informer (list, then watch from the list's resourceVersion).
import * as k8s from '@kubernetes/client-node';
import { until } from '@skiff/apiserver/testing';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  server = await startTestServer();
  kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'skiff', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'dev' }],
    contexts: [{ name: 'skiff', cluster: 'skiff', user: 'dev' }],
    currentContext: 'skiff',
  });
  core = kc.makeApiClient(k8s.CoreV1Api);
});
afterAll(async () => {
  await server.close();
});

const pod = (name: string): k8s.V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'informed' } },
  spec: { containers: [{ name: 'main', image: 'skiff/busybox:1', command: ['sleep', '3600'] }] },
});

test('typed create, read, list and apps calls', async () => {
  const created = await core.createNamespacedPod({ namespace: 'default', body: pod('typed') });
  expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(created.spec?.restartPolicy).toBe('Always');
  const read = await core.readNamespacedPod({ namespace: 'default', name: 'typed' });
  expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=informed' });
  expect(list.items.map((p) => p.metadata?.name)).toEqual(['typed']);

  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'cn' },
      spec: { selector: { matchLabels: { app: 'cn' } }, template: { metadata: { labels: { app: 'cn' } }, spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] } } },
    },
  });
  const scaled = await apps.patchNamespacedDeploymentScale({ namespace: 'default', name: 'cn', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
  expect(scaled.spec?.replicas).toBe(3);
  await core.deleteNamespacedPod({ namespace: 'default', name: 'typed' });
});

test('the informer sees adds, updates and deletes', async () => {
  const seen: string[] = [];
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
  informer.on('add', (p) => seen.push(`add ${p.metadata?.name}`));
  informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.stage ?? ''}`.trim()));
  informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await core.createNamespacedPod({ namespace: 'default', body: pod('before') });
  await informer.start();
  try {
    await core.createNamespacedPod({ namespace: 'default', body: pod('after') });
    await core.patchNamespacedPod(
      { namespace: 'default', name: 'after', body: { metadata: { labels: { stage: 'two' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedPod({ namespace: 'default', name: 'before' });
    const want = ['add before', 'add after', 'update after two', 'delete before'];
    await until('the four events', () => want.every((w) => seen.includes(w)));
    expect(seen).toEqual(expect.arrayContaining(want));
    expect(informer.list().map((p) => p.metadata?.name).sort()).toEqual(['after']);
    expect(errors).toEqual([]);
  } finally {
    await informer.stop();
  }
});

test('PodDisruptionBudgets and pods/eviction through the typed client: a refused eviction is an ApiException 429', async () => {
  const policy = kc.makeApiClient(k8s.PolicyV1Api);
  const namespace = 'default';
  const budget = await policy.createNamespacedPodDisruptionBudget({ namespace, body: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'typed' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'typed' } } } } });
  expect(budget.status).toEqual({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  const created = await core.createNamespacedPod({ namespace, body: { ...pod('typed-1'), metadata: { name: 'typed-1', labels: { app: 'typed' } }, spec: { ...pod('x').spec!, nodeName: 'node-a' } } });
  await core.replaceNamespacedPodStatus({ name: 'typed-1', namespace, body: { ...created, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } } });
  // What the disruption controller would write for one Ready pod under minAvailable 1.
  const counted = await policy.replaceNamespacedPodDisruptionBudgetStatus({ name: 'typed', namespace, body: { ...budget, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, observedGeneration: 1 } } });
  const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'typed-1', namespace } };
  const refused = await core.createNamespacedPodEviction({ name: 'typed-1', namespace, body: eviction }).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(k8s.ApiException);
  expect((refused as k8s.ApiException<string>).code).toBe(429);
  expect(JSON.parse((refused as k8s.ApiException<string>).body)).toMatchObject({ reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget typed needs 1 healthy pods and has 1 currently' }] } });
  await policy.replaceNamespacedPodDisruptionBudgetStatus({ name: 'typed', namespace, body: { ...counted, status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, observedGeneration: 1 } } });
  await core.createNamespacedPodEviction({ name: 'typed-1', namespace, body: eviction });
  expect((await core.readNamespacedPod({ name: 'typed-1', namespace })).metadata?.deletionTimestamp).toBeDefined();
  expect((await policy.readNamespacedPodDisruptionBudget({ name: 'typed', namespace })).status?.disruptedPods).toHaveProperty('typed-1');
});
