// Informers against the real API server: sync, live events, dropped connections, 410, outages.
// The informer reaches the server through a TCP proxy the test can cut (the server unreachable,
// every connection reset) and restore; the test writes through a client of its own that goes
// to the server directly, so it can change things while the informer is cut off. 410 comes from
// real compaction (the storage keeps one revision of history); what the server saw (lists, open
// watches) is read from its /metrics.
import { RESOURCES, type KubeObject } from '@skiff/api';
import { metric, startTcpProxy, startTestServer, until, type TcpProxy, type TestServer } from '@skiff/apiserver/testing';
import { Informer, type InformerOptions } from './informer.ts';
import { RestClient } from './rest-client.ts';
import { SharedInformerFactory } from './shared-informer-factory.ts';
import { indexByNodeName, keyOf } from './store.ts';

const res = (plural: string) => RESOURCES.find((r) => r.plural === plural)!;
const PODS = res('pods');
const NODES = res('nodes');
const pod = (name: string, extra: Partial<KubeObject['metadata']> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...extra },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

/** The test server with history compacted on demand only, reached through a proxy that can be cut. */
async function startServer(): Promise<{ server: TestServer; proxy: TcpProxy; url: string }> {
  const server = await startTestServer({ storage: { retainRevisions: 1, maintenanceIntervalMs: 0 } });
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port });
  return { server, proxy, url: `http://${proxy.address}` };
}

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
  let server: TestServer;
  let proxy: TcpProxy;
  /** The informers' client, through the proxy. */
  let client: RestClient;
  /** The test's own client, straight to the server. */
  let admin: RestClient;
  const errors: unknown[] = [];
  /** What onError was told failed, for each error. */
  const contexts: string[] = [];
  const fast: InformerOptions<KubeObject> = { backoff: { initialMs: 20, maxMs: 200 }, onError: (e, c) => (errors.push(e), contexts.push(c)) };
  const informers: Informer[] = [];
  const make = (opts: InformerOptions<KubeObject> = {}, r = PODS) => {
    const i = new Informer(client, r, { ...fast, ...opts });
    informers.push(i);
    return i;
  };

  /** Open watches of pods, as the server counts them. */
  const podWatches = () => metric(server.url, 'apiserver_watch_open', { resource: 'pods' });
  /** List requests of pods the server has answered. */
  const podLists = () => metric(server.url, 'apiserver_request_total', { verb: 'list', resource: 'pods' });
  /** Cuts the informers off and waits until the server has seen their watch go. */
  const cut = async () => {
    proxy.cut();
    await until('the pods watch closed on the server', async () => (await podWatches()) === 0);
  };

  beforeEach(async () => {
    let url: string;
    ({ server, proxy, url } = await startServer());
    client = new RestClient({ server: url });
    admin = new RestClient({ server: server.url });
    errors.length = 0;
    contexts.length = 0;
  });
  afterEach(async () => {
    for (const i of informers.splice(0)) i.stop();
    client.close();
    admin.close();
    await proxy.close();
    await server.close();
  });

  test('lists in pages, syncs, then follows adds, updates and deletes', async () => {
    for (let i = 0; i < 5; i++) await admin.create(PODS, pod(`p${i}`));
    const informer = make({ pageSize: 2 });
    const log = recorder(informer);
    expect(informer.hasSynced()).toBe(false);
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    await until('the watch open', async () => (await podWatches()) === 1);
    expect(await podLists()).toBe(3); // 3 pages
    expect(log).toEqual(['add p0', 'add p1', 'add p2', 'add p3', 'add p4']);
    expect(informer.store.get('default/p0')?.kind).toBe('Pod');

    await client.create(PODS, pod('new'));
    await client.patch(PODS, 'default', 'p1', { metadata: { labels: { x: 'y' } } });
    await client.delete(PODS, 'default', 'p2');
    await until('three events', () => log.length === 8);
    expect(log.slice(5)).toEqual(['add new', 'update p1', 'delete p2']);
    expect(informer.store.get('default/p1')?.metadata.labels).toEqual({ x: 'y' });
    expect(informer.store.get('default/p2')).toBeUndefined();
    expect(informer.lastSyncResourceVersion()).toBe(String(await server.revision()));
  });

  test('a dropped watch resumes from the last version: nothing lost, nothing twice, no relist', async () => {
    await admin.create(PODS, pod('a'));
    const informer = make();
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await until('the watch open', async () => (await podWatches()) === 1);
    const lists = await podLists();
    for (let round = 0; round < 3; round++) {
      await cut();
      // Changes while the informer is disconnected.
      await admin.create(PODS, pod(`r${round}`));
      await admin.patch(PODS, 'default', 'a', { metadata: { labels: { round: String(round) } } });
      proxy.restore();
      await until('reconnect', async () => (await podWatches()) === 1);
    }
    await until('seven events', () => log.length === 7);
    expect(log).toEqual(['add a', 'add r0', 'update a', 'add r1', 'update a', 'add r2', 'update a']);
    expect(await podLists()).toBe(lists); // it watched again from its version; it never relisted
    expect(informer.store.keys().sort()).toEqual(['default/a', 'default/r0', 'default/r1', 'default/r2']);
  });

  test('410 Gone: relists, deletes what vanished, updates what changed, adds what is new', async () => {
    for (const n of ['keep', 'change', 'vanish']) await admin.create(PODS, pod(n));
    const informer = make();
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await until('the watch open', async () => (await podWatches()) === 1);
    const lists = await podLists();
    await cut();
    await admin.delete(PODS, 'default', 'vanish');
    await admin.patch(PODS, 'default', 'change', { metadata: { labels: { v: '2' } } });
    await admin.create(PODS, pod('fresh'));
    await server.compact(); // the informer's version is now older than the history kept
    proxy.restore();
    await until('the relist', () => log.length === 6);
    expect(log.slice(3).sort()).toEqual(['add fresh', 'delete vanish', 'update change']);
    expect(informer.store.keys().sort()).toEqual(['default/change', 'default/fresh', 'default/keep']);
    expect(await podLists()).toBe(lists + 1);
    await until('the watch open again', async () => (await podWatches()) === 1);
    await admin.create(PODS, pod('after'));
    await until('the next event', () => log.length === 7);
    expect(log[6]).toBe('add after');
  });

  test('survives the server being unreachable for a while', async () => {
    await admin.create(PODS, pod('a'));
    const informer = make();
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await until('the watch open', async () => (await podWatches()) === 1);
    await cut();
    await admin.create(PODS, pod('while-down'));
    await admin.delete(PODS, 'default', 'a');
    await until('retries reported', () => errors.length > 1); // it kept trying
    // Each report names the resource and what failed.
    for (const c of contexts) expect(c).toMatch(/^pods: (watch|list) failed$/);
    proxy.restore();
    await until('recovery', () => log.length === 3);
    expect(log).toEqual(['add a', 'add while-down', 'delete a']);
    await admin.create(PODS, pod('after'));
    await until('the next event', () => log.length === 4);
  });

  test('an informer started while the server is unreachable syncs once it is up', async () => {
    proxy.cut();
    const informer = make();
    informer.start();
    await until('a failed list', () => errors.length > 0);
    expect(informer.hasSynced()).toBe(false);
    await admin.create(PODS, pod('a'));
    proxy.restore();
    await informer.waitForSync();
    expect(informer.store.keys()).toEqual(['default/a']);
  });

  test('bookmarks advance the resourceVersion it resumes from', async () => {
    // The server ends each watch after timeoutSeconds with a final bookmark (as kube-apiserver does).
    const informer = make({ watchTimeoutSeconds: 1 });
    informer.start();
    await informer.waitForSync();
    await until('the watch open', async () => (await podWatches()) === 1);
    await admin.create(NODES, node('n1')); // another resource: no pod event carries this version
    const rv = String(await server.revision());
    expect(informer.lastSyncResourceVersion()).not.toBe(rv);
    await until('the bookmark', () => informer.lastSyncResourceVersion() === rv, 5000);
  });

  test('selectors: an object that stops matching is deleted from the cache', async () => {
    await admin.create(PODS, pod('web', { labels: { app: 'web' } }));
    const informer = make({ labelSelector: 'app=web' });
    const log = recorder(informer);
    informer.start();
    await informer.waitForSync();
    await client.patch(PODS, 'default', 'web', { metadata: { labels: { app: 'db' } } });
    await until('condition', () => log.length === 2);
    expect(log).toEqual(['add web', 'delete web']);
  });

  test('a throwing handler is reported and the others still run; late handlers get the cache as adds', async () => {
    await admin.create(PODS, pod('a'));
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
    expect(contexts).toEqual(['pods: onAdd handler threw', 'pods: onAdd handler threw']);
    const late = recorder(informer);
    expect(late).toEqual(['add a', 'add b']);
  });

  test('cached objects are frozen; indexers and resync', async () => {
    await admin.create(PODS, pod('a', {}, { nodeName: 'n1' }));
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
    // A watch the server ended (not one cut off) is counted once it has finished.
    await until('the first watch ended by the server', async () => (await metric(server.url, 'apiserver_request_total', { verb: 'watch', resource: 'pods' })) >= 1, 5000);
    await until('the next watch open', async () => (await podWatches()) === 1);
    await client.create(PODS, pod('late'));
    await until('the event', () => log.length === 1);
    expect(await podLists()).toBe(1);
    expect(errors).toEqual([]);
  });

  test('stopped during its first list, it opens no watch', async () => {
    const informer = make();
    informer.start();
    informer.stop();
    await until('its list answered', async () => (await podLists()) === 1);
    // A watch would follow the answer at once; the informer has no event for "did nothing", so
    // this asserts that nothing happens within a bound.
    await new Promise((r) => setTimeout(r, 200));
    expect(await podWatches()).toBe(0);
    expect(informer.hasSynced()).toBe(false);
  });

  test('stop ends the watch and rejects pending waitForSync', async () => {
    proxy.cut();
    const informer = make();
    informer.start();
    const wait = informer.waitForSync();
    informer.stop();
    await expect(wait).rejects.toThrow(/stopped/);
  });
});

describe('SharedInformerFactory', () => {
  test('shares one informer per resource and selection', async () => {
    const server = await startTestServer();
    const client = new RestClient({ server: server.url });
    await client.create(PODS, pod('a'));
    await client.create(NODES, node('n1'));
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

describe('SharedInformerFactory scopes (ADR 0022)', () => {
  test('two scopes share one informer; a stopped scope leaves no handler and lets go of what only it used', async () => {
    const server = await startTestServer();
    const client = new RestClient({ server: server.url });
    await client.create(PODS, pod('a'));
    await client.create(NODES, node('n1'));
    const factory = new SharedInformerFactory(client, { defaults: { backoff: { initialMs: 20 } } });
    factory.start();
    const scheduler = factory.scope();
    const manager = factory.scope();
    try {
      const seenByScheduler: string[] = [];
      const seenByManager: string[] = [];
      const sPods = scheduler.informerFor(PODS);
      const mPods = manager.informerFor(PODS, { indexers: { node: indexByNodeName } });
      const mNodes = manager.informerFor(NODES);
      // One informer (one cache, one watch) behind both.
      expect(mPods.store).toBe(sPods.store);
      sPods.addEventHandler({ onAdd: (p) => seenByScheduler.push(p.metadata.name!) });
      mPods.addEventHandler({ onAdd: (p) => seenByManager.push(p.metadata.name!) });
      await Promise.all([scheduler.waitForCacheSync(), manager.waitForCacheSync()]);
      expect(seenByScheduler).toEqual(['a']);
      expect(seenByManager).toEqual(['a']);
      const nodesStore = mNodes.store;

      // The manager's term ends: its handlers go; the pods informer stays for the scheduler.
      manager.stop();
      await client.create(PODS, pod('b'));
      await until('the scheduler saw pod b', () => seenByScheduler.includes('b'));
      // Handlers run in turn on each event: had the manager's still been there, it would have run.
      expect(seenByManager).toEqual(['a']);
      expect(() => manager.informerFor(PODS)).toThrow(/after stop/);

      // Only the manager followed nodes: that informer was stopped and forgotten, so the next
      // term gets a fresh one, whose handlers see every node again.
      const next = factory.scope();
      const nextNodes = next.informerFor(NODES);
      expect(nextNodes.store).not.toBe(nodesStore);
      const nextPods = next.informerFor(PODS);
      expect(nextPods.store).toBe(sPods.store);
      const replayed: string[] = [];
      nextPods.addEventHandler({ onAdd: (p) => replayed.push(p.metadata.name!) });
      expect(replayed.sort()).toEqual(['a', 'b']);
      next.start();
      await next.waitForCacheSync();
      expect(nextNodes.store.keys()).toEqual(['n1']);
      next.stop();
    } finally {
      scheduler.stop();
      manager.stop();
      factory.stop();
      client.close();
      await server.close();
    }
  });
});
