// @kubernetes/client-node, unchanged, against the server: typed create/list/read/delete and a
// watch through its Watch helper.
import * as k8s from '@kubernetes/client-node';
import { startTestServer, until } from '../src/testing/index.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  server = await startTestServer();
  kc = new k8s.KubeConfig();
  // client-node refuses http:// unless the cluster is marked insecure.
  kc.loadFromOptions({
    clusters: [{ name: 'skiff', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'dev' }],
    contexts: [{ name: 'skiff', cluster: 'skiff', user: 'dev' }],
    currentContext: 'skiff',
  });
});
afterAll(() => server.close());

const body = (name: string): k8s.V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { via: 'client-node' } },
  spec: { containers: [{ name: 'main', image: 'skiff/busybox:1' }] },
});

test('create, list with a selector, read, patch scale and delete', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const created = await core.createNamespacedPod({ namespace: 'default', body: body('cn-1') });
  expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
  const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'via=client-node' });
  expect(list.items.map((p) => p.metadata?.name)).toEqual(['cn-1']);
  const read = await core.readNamespacedPod({ namespace: 'default', name: 'cn-1' });
  expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  await expect(core.readNamespacedPod({ namespace: 'default', name: 'missing' })).rejects.toMatchObject({ code: 404 });

  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'cn-d' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    },
  });
  const scaled = await apps.patchNamespacedDeploymentScale({ namespace: 'default', name: 'cn-d', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
  expect(scaled.spec?.replicas).toBe(3);
  await core.deleteNamespacedPod({ namespace: 'default', name: 'cn-1' });
  await expect(core.readNamespacedPod({ namespace: 'default', name: 'cn-1' })).rejects.toMatchObject({ code: 404 });
});

test('Watch helper receives ADDED and DELETED events', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listNamespacedPod({ namespace: 'default' });
  const events: string[] = [];
  const watch = new k8s.Watch(kc);
  const req = await watch.watch(
    '/api/v1/namespaces/default/pods',
    { resourceVersion: list.metadata?.resourceVersion },
    (type, obj: k8s.V1Pod) => events.push(`${type} ${obj.metadata?.name}`),
    () => {},
  );
  try {
    await core.createNamespacedPod({ namespace: 'default', body: body('watched') });
    await core.deleteNamespacedPod({ namespace: 'default', name: 'watched' });
    await until('two watch events', () => events.length >= 2, 5000);
    expect(events).toEqual(['ADDED watched', 'DELETED watched']);
  } finally {
    req.abort();
  }
});
