// Informers against a real HTTP server: sync, live events, dropped connections, 410, outages.
import { RESOURCES, type KubeObject } from '@skiff/api';
import { Informer, type InformerOptions } from './informer.ts';
import { RestClient } from './rest-client.ts';
import { SharedInformerFactory } from './shared-informer-factory.ts';
import { indexByNodeName, keyOf } from './store.ts';
import { FakeApiServer } from './testing/fake-apiserver.ts';
import { sleep } from './testing/wait.ts';
import { until } from '@skiff/apiserver/testing';

const res = (plural: string) => RESOURCES.find((r) => r.plural === plural)!;
const PODS = res('pods');
const NODES = res('nodes');
const pod = (name: string, extra: Partial<KubeObject['metadata']> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...extra },
  spec,
});

/** Records handler calls as `add a`, `update a`, `delete a`. */
function recorder(informer: Informer) {
  const log: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => log.push(`add ${o.metadata.name}`),
    onUpdate: (o, n) => log.push(`update ${n.metadata.name}${o === n ? ' (resync)' : ''}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name}`),
  });
  return log;
}

describe('Informer', () => {
  let server: FakeApiServer;
  let client: RestClient;
  const errors: unknown[] = [];
  const fast: InformerOptions<KubeObject> = { backoff: { initialMs: 20, maxMs: 200 }, onError: (e) => errors.push(e) };
  const informers: Informer[] = [];
  const make = (opts: InformerOptions<KubeObject> = {}, r = PODS) => {
    const i = new Informer(client, r, { ...fast, ...opts });
    informers.push(i);
    return i;
  };

  beforeEach(async () => {
    server = await FakeApiServer.start();
    client = new RestClient({ server: server.url });
    errors.length = 0;
  });
  afterEach(async () => {
    for (const i of informers.splice(0)) i.stop();
    client.close();
    await server.close();
  });

  test('lists in pages, syncs, then follows adds, updates and deletes', async () => {
    for (let i = 0; i < 5; i++) server.store.create(PODS, pod(`p${i}`));
    const informer = make({ pageSize: 2 });
    const log = recorder(informer);
    expect(informer.hasSynced()).toBe(false);
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    await until('condition', () => server.activeWatches === 1);
    expect(server.requests.filter((r) => r === 'GET /api/v1/pods')).toHaveLength(3 + 1); // 3 pages + the watch
    expect(log).toEqual(['add p0', 'add p1', 'add p2', 'add p3', 'add p4']);
    expect(informer.store.get('default/p0')?.kind).toBe('Pod');

    await client.create(PODS, pod('new'));
    await client.patch(PODS, 'default', 'p1', { metadata: { labels: { x: 'y' } } });
    await client.delete(PODS, 'default', 'p2');
    await until('condition', () => log.length === 8);
    expect(log.slice(5)).toEqual(['add new', 'update p1', 'delete p2']);
    expect(informer.store.get('default/p1')?.metadata.labels).toEqual({ x: 'y' });
    expect(informer.store.get('default/p2')).toBeUndefined();
    expect(informer.lastSyncResourceVersion()).toBe(String(server.store.currentRv));
  });

  test('a dropped watch resumes from the last version: nothing lost, nothing twice, no relist', async () => {
    server.store.create(PODS, pod('a'));
    const informer = make();
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await until('condition', () => server.activeWatches === 1);
    const lists = server.requests.length;
    for (let round = 0; round < 3; round++) {
      server.dropWatches();
      // Changes while the informer is disconnected.
      server.store.create(PODS, pod(`r${round}`));
      server.store.update(PODS, 'default', 'a', (o) => ({ ...o, metadata: { ...o.metadata, labels: { round: String(round) } } }));
      await until('reconnect', () => server.activeWatches === 1, 5000);
    }
    await until('condition', () => log.length === 7);
    expect(log).toEqual(['add a', 'add r0', 'update a', 'add r1', 'update a', 'add r2', 'update a']);
    expect(server.requests.slice(lists).every((r) => r === 'GET /api/v1/pods')).toBe(true);
    expect(server.requests.length - lists).toBe(3); // three watches, no list
    expect(informer.store.keys().sort()).toEqual(['default/a', 'default/r0', 'default/r1', 'default/r2']);
  });

  test('410 Gone: relists, deletes what vanished, updates what changed, adds what is new', async () => {
    for (const n of ['keep', 'change', 'vanish']) server.store.create(PODS, pod(n));
    const informer = make();
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await until('condition', () => server.activeWatches === 1);
    server.dropWatches();
    server.store.delete(PODS, 'default', 'vanish');
    server.store.update(PODS, 'default', 'change', (o) => ({ ...o, metadata: { ...o.metadata, labels: { v: '2' } } }));
    server.store.create(PODS, pod('fresh'));
    server.compact();
    await until('condition', () => log.length === 6);
    expect(log.slice(3).sort()).toEqual(['add fresh', 'delete vanish', 'update change']);
    expect(informer.store.keys().sort()).toEqual(['default/change', 'default/fresh', 'default/keep']);
    await until('condition', () => server.activeWatches === 1);
    await client.create(PODS, pod('after'));
    await until('condition', () => log.length === 7);
    expect(log[6]).toBe('add after');
  });

  test('survives the server being down for a while', async () => {
    server.store.create(PODS, pod('a'));
    const informer = make();
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await until('condition', () => server.activeWatches === 1);
    await server.stop();
    server.store.create(PODS, pod('while-down'));
    server.store.delete(PODS, 'default', 'a');
    await sleep(800);
    expect(errors.length).toBeGreaterThan(1); // it kept trying
    await server.resume();
    await until('recovery', () => log.length === 3, 5000);
    expect(log).toEqual(['add a', 'add while-down', 'delete a']);
    await client.create(PODS, pod('after'));
    await until('condition', () => log.length === 4);
  });

  test('an informer started while the server is down syncs once it is up', async () => {
    await server.stop();
    const informer = make();
    informer.start();
    await sleep(300);
    expect(informer.hasSynced()).toBe(false);
    server.store.create(PODS, pod('a'));
    await server.resume();
    await informer.waitForSync();
    expect(informer.store.keys()).toEqual(['default/a']);
  });

  test('bookmarks advance the resourceVersion it resumes from', async () => {
    const informer = make();
    informer.start();
    await informer.waitForSync();
    await until('condition', () => server.activeWatches === 1);
    server.store.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }); // another resource
    const rv = String(server.store.currentRv);
    expect(informer.lastSyncResourceVersion()).not.toBe(rv);
    server.sendBookmarks();
    await until('condition', () => informer.lastSyncResourceVersion() === rv);
  });

  test('selectors: an object that stops matching is deleted from the cache', async () => {
    server.store.create(PODS, pod('web', { labels: { app: 'web' } }));
    const informer = make({ labelSelector: 'app=web' });
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await client.patch(PODS, 'default', 'web', { metadata: { labels: { app: 'db' } } });
    await until('condition', () => log.length === 2);
    expect(log).toEqual(['add web', 'delete web']);
  });

  test('a throwing handler is reported and the others still run; late handlers get the cache as adds', async () => {
    server.store.create(PODS, pod('a'));
    const informer = make();
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('boom');
      },
    });
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await client.create(PODS, pod('b'));
    await until('condition', () => log.length === 2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom', 'boom']);
    const late = recorder(informer);
    expect(late).toEqual(['add a', 'add b']);
  });

  test('cached objects are frozen; indexers and resync', async () => {
    server.store.create(PODS, pod('a', {}, { nodeName: 'n1' }));
    const informer = make({ indexers: { node: indexByNodeName }, resyncPeriodMs: 50 });
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    const a = informer.store.get('default/a')!;
    expect(() => {
      a.spec.nodeName = 'n2';
    }).toThrow(TypeError);
    expect(informer.store.byIndex('node', 'n1').map(keyOf)).toEqual(['default/a']);
    await until('condition', () => log.includes('update a (resync)'));
  });

  test('when the server ends a watch (timeoutSeconds) it watches again without relisting', async () => {
    const informer = make({ watchTimeoutSeconds: 1 });
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await sleep(1300);
    await until('condition', () => server.activeWatches === 1);
    await client.create(PODS, pod('late'));
    await until('condition', () => log.length === 1);
    const gets = server.requests.filter((r) => r === 'GET /api/v1/pods').length;
    expect(gets).toBe(3); // one list, two watches
    expect(errors).toEqual([]);
  });

  test('stopped during its first list, it opens no watch', async () => {
    const informer = make();
    informer.start();
    informer.stop();
    await sleep(100);
    expect(server.activeWatches).toBe(0);
    expect(informer.hasSynced()).toBe(false);
  });

  test('stop ends the watch and rejects pending waitForSync', async () => {
    await server.stop();
    const informer = make();
    informer.start();
    const wait = informer.waitForSync();
    informer.stop();
    await expect(wait).rejects.toThrow(/stopped/);
  });
});

describe('SharedInformerFactory', () => {
  test('shares one informer per resource and selection', async () => {
    const server = await FakeApiServer.start();
    const client = new RestClient({ server: server.url });
    server.store.create(PODS, pod('a'));
    server.store.create(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    const factory = new SharedInformerFactory(client, { defaults: { backoff: { initialMs: 20 } } });
    try {
      const p1 = factory.informerFor(PODS);
      const p2 = factory.informerFor(PODS, { indexers: { node: indexByNodeName } });
      expect(p2).toBe(p1);
      expect(factory.informerFor(PODS, { namespace: 'kube-system' })).not.toBe(p1);
      expect(factory.informerFor(PODS, { labelSelector: 'a=b' })).not.toBe(p1);
      // Namespace is ignored for cluster-scoped resources.
      expect(factory.informerFor(NODES, { namespace: 'x' })).toBe(factory.informerFor(NODES));
      factory.start();
      await factory.waitForCacheSync();
      expect(p1.store.keys()).toEqual(['default/a']);
      const late = factory.informerFor(NODES, { labelSelector: 'role=edge' });
      await late.waitForSync(); // started automatically
      expect(late.store.size).toBe(0);
    } finally {
      factory.stop();
      client.close();
      await server.close();
    }
  });
});
