// The REST client against the real API server (startTestServer: buildApp on port 0, SQLite in a
// temp dir). The transport tests at the end use raw HTTP peers for byte-level faults no correct
// server produces on demand (a kept-alive socket closed just as a request arrives, no answer at
// all, a 404 that is not a Status).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESOURCES, type KubeObject } from '@skiff/api';
import { startTestServer, type TestServer } from '@skiff/apiserver/testing';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import { resourcePath } from './paths.ts';
import { RestClient } from './rest-client.ts';

const res = (plural: string) => RESOURCES.find((r) => r.plural === plural)!;
const PODS = res('pods');
const NODES = res('nodes');
const DEPLOYMENTS = res('deployments');
const EVENTS = res('events');
const NAMESPACES = res('namespaces');

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

describe('resourcePath', () => {
  test('core, group, cluster-scoped, subresource', () => {
    expect(resourcePath(PODS, { namespace: 'ns', name: 'p' })).toBe('/api/v1/namespaces/ns/pods/p');
    expect(resourcePath(PODS)).toBe('/api/v1/pods');
    expect(resourcePath(DEPLOYMENTS, { namespace: 'd', name: 'web', subresource: 'scale' })).toBe('/apis/apps/v1/namespaces/d/deployments/web/scale');
    expect(resourcePath(NODES, { namespace: 'ignored', name: 'n1' })).toBe('/api/v1/nodes/n1');
  });
});

describe('RestClient', () => {
  let server: TestServer;
  let client: RestClient;
  beforeAll(async () => {
    server = await startTestServer();
    client = new RestClient({ server: server.url, userAgent: 'test' });
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  test('create, get, update with optimistic concurrency, delete', async () => {
    const created = await client.create(PODS, pod('crud'));
    expect(created.metadata.uid).toBeTruthy();
    const got = await client.get(PODS, 'default', 'crud');
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    const updated = await client.update(PODS, { ...got, metadata: { ...got.metadata, labels: { v: '2' } } });
    expect(updated.metadata.labels).toEqual({ v: '2' });
    const stale = client.update(PODS, { ...got, metadata: { ...got.metadata, labels: { v: '3' } } });
    await expect(stale).rejects.toThrow(ApiError);
    expect(isConflict(await stale.catch((e) => e))).toBe(true);

    // As Kubernetes: an object to be created must not carry a resourceVersion.
    expect((await client.create(PODS, created).catch((e) => e)).status.reason).toBe('BadRequest');
    const err = await client.create(PODS, pod('crud')).catch((e) => e);
    expect(isAlreadyExists(err)).toBe(true);
    expect(isConflict(err)).toBe(false);

    await client.delete(PODS, 'default', 'crud', { propagationPolicy: 'Background' });
    const missing = await client.get(PODS, 'default', 'crud').catch((e) => e);
    expect(isNotFound(missing)).toBe(true);
    expect(missing.status).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404, details: { name: 'crud', kind: 'pods' } });
    expect(missing.message).toBe('pods "crud" not found');
  });

  test('delete preconditions', async () => {
    const p = await client.create(PODS, pod('pre'));
    const err = await client.delete(PODS, 'default', 'pre', { preconditions: { uid: 'other' } }).catch((e) => e);
    expect(isConflict(err)).toBe(true);
    await client.delete(PODS, 'default', 'pre', { preconditions: { uid: p.metadata.uid } });
  });

  test('paged list with labelSelector and fieldSelector', async () => {
    await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (let i = 0; i < 7; i++) await client.create(PODS, { ...pod(`page-${i}`, { set: 'paged', odd: String(i % 2) }), metadata: { ...pod(`page-${i}`).metadata, labels: { set: 'paged', odd: String(i % 2) }, namespace: i < 5 ? 'default' : 'other' } });
    const first = await client.list(PODS, { namespace: 'default', labelSelector: 'set=paged', limit: 2 });
    expect(first.items.map((p) => p.metadata.name)).toEqual(['page-0', 'page-1']);
    expect(first.metadata.continue).toBeTruthy();
    const names = [...first.items];
    let cont = first.metadata.continue;
    while (cont) {
      const page = await client.list(PODS, { namespace: 'default', labelSelector: 'set=paged', limit: 2, continue: cont });
      expect(page.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      names.push(...page.items);
      cont = page.metadata.continue;
    }
    expect(names).toHaveLength(5);
    const all = await client.list(PODS, { labelSelector: 'set=paged,odd in (1)' });
    expect(all.items.map((p) => p.metadata.name)).toEqual(['page-1', 'page-3', 'other/page-5'.split('/')[1]]);
    const byField = await client.list(PODS, { fieldSelector: 'metadata.name=page-6' });
    expect(byField.items.map((p) => p.metadata.namespace)).toEqual(['other']);
  });

  test('patch, status and scale subresources', async () => {
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await client.create(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } });
    const patched = await client.patch(DEPLOYMENTS, 'default', 'web', { metadata: { labels: { tier: 'front' } } }, 'merge');
    expect(patched.metadata.labels).toEqual({ tier: 'front' });

    const withStatus = await client.updateStatus(DEPLOYMENTS, { ...patched, status: { replicas: 1 } });
    expect(withStatus.status).toEqual({ replicas: 1 });
    // A PUT of the main resource does not touch status.
    const main = await client.update(DEPLOYMENTS, { ...withStatus, status: { replicas: 99 } });
    expect(main.status).toEqual({ replicas: 1 });

    const scale = await client.getSubresource<KubeObject>(DEPLOYMENTS, 'default', 'web', 'scale');
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 1 }, status: { selector: 'app=web' } });
    await client.updateSubresource(DEPLOYMENTS, 'default', 'web', 'scale', { ...scale, spec: { replicas: 4 } });
    expect((await client.get(DEPLOYMENTS, 'default', 'web')).spec.replicas).toBe(4);
    await client.patch(DEPLOYMENTS, 'default', 'web', { spec: { replicas: 2 } }, 'merge', { subresource: 'scale' });
    expect((await client.get(DEPLOYMENTS, 'default', 'web')).spec.replicas).toBe(2);
  });

  test('bind sets the node once; a second bind conflicts', async () => {
    const p = await client.create(PODS, pod('unbound'));
    await client.bind('default', 'unbound', 'node-1', { uid: p.metadata.uid });
    expect((await client.get(PODS, 'default', 'unbound')).spec.nodeName).toBe('node-1');
    expect(isConflict(await client.bind('default', 'unbound', 'node-2').catch((e) => e))).toBe(true);
  });

  test('cluster-scoped resources and events', async () => {
    await client.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    expect((await client.get(NODES, undefined, 'n1')).metadata.namespace).toBeUndefined();
    const ev = await client.createEvent({ apiVersion: 'v1', kind: 'Event', metadata: { generateName: 'x.', namespace: 'default' }, reason: 'Scheduled', involvedObject: { kind: 'Pod', name: 'unbound' } });
    expect(ev.metadata.name).toMatch(/^x\./);
    expect((await client.list(EVENTS, { namespace: 'default', fieldSelector: 'involvedObject.name=unbound' })).items).toHaveLength(1);
  });

  test('a namespaced create without a namespace is refused locally', async () => {
    await expect(client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } })).rejects.toThrow(TypeError);
  });

  test('a path the server does not serve is a NotFound ApiError', async () => {
    const bad = new RestClient({ server: server.url + '/nothing-here' });
    const err = await bad.get(PODS, 'default', 'x').catch((e) => e);
    expect(isNotFound(err)).toBe(true);
    bad.close();
  });
});

describe('RestClient transport', () => {
  async function rawServer(handler: http.RequestListener) {
    const s = http.createServer(handler);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
      close: async () => {
        s.closeAllConnections();
        await new Promise((r) => s.close(r));
      },
    };
  }
  const ok = (res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(pod('x')));
  };

  test('a GET on a kept-alive socket the server just closed is retried once on a new one', async () => {
    const seen = new WeakMap<object, number>();
    const server = await rawServer((req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      if (n === 2) return void req.socket.destroy(); // as if its keep-alive timeout had just fired
      ok(res);
    });
    const client = new RestClient({ server: server.url });
    try {
      await client.get(PODS, 'default', 'x');
      expect((await client.get(PODS, 'default', 'x')).metadata.name).toBe('x');
    } finally {
      client.close();
      await server.close();
    }
  });

  test('timeoutMs bounds a request the server never answers', async () => {
    const server = await rawServer(() => {});
    const client = new RestClient({ server: server.url, timeoutMs: 150 });
    try {
      await expect(client.get(PODS, 'default', 'x')).rejects.toThrow(/no data for 150 ms/);
    } finally {
      client.close();
      await server.close();
    }
  });

  test("a non-Status error body (a proxy's plain-text 404) still becomes an ApiError", async () => {
    const server = await rawServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    });
    const client = new RestClient({ server: server.url });
    try {
      const err = await client.get(PODS, 'default', 'x').catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(isNotFound(err)).toBe(true);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('token and user agent are sent', async () => {
    let headers: http.IncomingHttpHeaders = {};
    const server = await rawServer((req, res) => {
      headers = req.headers;
      ok(res);
    });
    const client = new RestClient({ server: server.url, token: 'tok', userAgent: 'skiff-test/1' });
    try {
      await client.get(PODS, 'default', 'x');
      expect(headers).toMatchObject({ authorization: 'Bearer tok', 'user-agent': 'skiff-test/1', accept: 'application/json' });
    } finally {
      client.close();
      await server.close();
    }
  });
});
