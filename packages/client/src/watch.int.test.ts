// The watch stream reader against the real API server (a dropped connection through a TCP proxy
// the test cuts, 410 from real compaction), and against raw HTTP peers for byte-level framing
// (events split at awkward places, a stream on which nothing arrives).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESOURCES, type KubeObject } from '@skiff/api';
import { metric, startTcpProxy, startTestServer, until, type TcpProxy, type TestServer } from '@skiff/apiserver/testing';
import { isGone } from './errors.ts';
import { RestClient } from './rest-client.ts';
import type { WatchEvent } from './watch.ts';

const PODS = RESOURCES.find((r) => r.plural === 'pods')!;
const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

function collect(client: RestClient, opts: Parameters<RestClient['watch']>[1]) {
  const events: WatchEvent[] = [];
  let resolveDone!: (err?: Error) => void;
  const done = new Promise<Error | undefined>((r) => (resolveDone = r));
  const handle = client.watch(PODS, opts, (e) => events.push(e), (err) => resolveDone(err));
  return { events, done, handle };
}

describe('watch against the API server', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  /** Through the proxy. */
  let client: RestClient;
  const podWatches = () => metric(server.url, 'apiserver_watch_open', { resource: 'pods' });
  beforeEach(async () => {
    // History is compacted only when a test asks, down to the newest revision.
    server = await startTestServer({ storage: { retainRevisions: 1, maintenanceIntervalMs: 0 } });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port });
    client = new RestClient({ server: `http://${proxy.address}` });
  });
  afterEach(async () => {
    client.close();
    await proxy.close();
    await server.close();
  });

  test('resourceVersion 0 gives current objects as ADDED, then live events', async () => {
    await client.create(PODS, pod('a'));
    const w = collect(client, { namespace: 'default', resourceVersion: '0' });
    await until('the initial ADDED', () => w.events.length === 1);
    await client.create(PODS, pod('b'));
    await client.delete(PODS, 'default', 'a');
    await until('three events', () => w.events.length === 3);
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    w.handle.abort();
    expect(await w.done).toBeUndefined();
  });

  test('from a resourceVersion replays only later changes; selectors turn non-matching into DELETED', async () => {
    const a = await client.create(PODS, pod('a', { app: 'web' }));
    await client.create(PODS, pod('b', { app: 'db' }));
    const w = collect(client, { namespace: 'default', resourceVersion: a.metadata.resourceVersion, labelSelector: 'app=web' });
    await client.patch(PODS, 'default', 'b', { metadata: { labels: { app: 'web' } } });
    await client.patch(PODS, 'default', 'a', { metadata: { labels: { app: 'db' } } });
    await until('two events', () => w.events.length === 2);
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
    w.handle.abort();
  });

  test('a compacted resourceVersion ends with a Gone error', async () => {
    const a = await client.create(PODS, pod('a'));
    await client.create(PODS, pod('b'));
    await client.create(PODS, pod('c'));
    await server.compact(); // keeps the newest revision only: a's is gone
    const w = collect(client, { resourceVersion: a.metadata.resourceVersion });
    const err = await w.done;
    expect(isGone(err)).toBe(true);
    expect(w.events).toEqual([]);
  });

  test('timeoutSeconds ends the watch with a bookmark at the latest version', async () => {
    const w = collect(client, { resourceVersion: '0', allowWatchBookmarks: true, timeoutSeconds: 1 });
    await until('the watch open', async () => (await podWatches()) === 1);
    await client.create(PODS, pod('a'));
    expect(await w.done).toBeUndefined();
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(w.events[1].object.metadata.resourceVersion).toBe(w.events[0].object.metadata.resourceVersion);
  });

  test('a dropped connection ends with an error', async () => {
    const w = collect(client, { resourceVersion: '0' });
    await until('the watch open', async () => (await podWatches()) === 1);
    proxy.cut();
    // Node's own errors come from another realm under jest, so no toBeInstanceOf(Error).
    expect((await w.done)?.message).toMatch(/aborted|closed|reset/);
  });
});

describe('watch stream split at awkward places', () => {
  test('events split across chunks and several per chunk arrive intact', async () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: `p-${i}-é✓`, resourceVersion: String(i + 1) } } }));
    const wire = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));
    // Writes the stream in chunks of 1, 2, 3, ... bytes, splitting JSON and multi-byte characters.
    const raw = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let off = 0;
      for (let n = 1; off < wire.length; n++) {
        res.write(wire.subarray(off, off + n));
        off += n;
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const client = new RestClient({ server: `http://127.0.0.1:${(raw.address() as AddressInfo).port}` });
    try {
      const w = collect(client, {});
      expect(await w.done).toBeUndefined();
      expect(w.events).toEqual(events);
    } finally {
      client.close();
      raw.closeAllConnections();
      await new Promise((r) => raw.close(r));
    }
  });

  test('idleTimeoutMs ends a connection on which nothing arrives', async () => {
    const silent = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const client = new RestClient({ server: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
    try {
      const t = Date.now();
      const w = collect(client, { idleTimeoutMs: 200 });
      expect((await w.done)?.message).toMatch(/no data for 200 ms/);
      expect(Date.now() - t).toBeLessThan(2000);
    } finally {
      client.close();
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
