// Lists (selectors, paging, Tables) and watches (initial events, resume, 410, bookmarks,
// timeoutSeconds, selector transitions, Table events, fan-out to many watchers) over real HTTP.
import { client, pod, readWatch } from './support/server.ts';
import { startTestServer, until } from '../src/testing/index.ts';
import type { Client, TestServer } from './support/server.ts';

let server: TestServer;
let api: Client;
beforeAll(async () => {
  server = await startTestServer({ storage: { retainRevisions: 20, maintenanceIntervalMs: 0 } });
  api = client(server.url);
  await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lw' } });
});
afterAll(() => server.close());

const PODS = '/api/v1/namespaces/lw/pods';
const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };

describe('lists', () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      await api('POST', PODS, pod(`l${i}`, { metadata: { labels: { tier: i % 2 ? 'odd' : 'even', idx: String(i) } }, spec: i < 2 ? { nodeName: 'n1' } : {} }));
    }
  });

  test('label and field selectors; a bad selector is 400', async () => {
    const odd = await api('GET', `${PODS}?labelSelector=tier%3Dodd`);
    expect(odd.body.items.map((p: any) => p.metadata.name)).toEqual(['l1', 'l3', 'l5']);
    const set = await api('GET', `${PODS}?labelSelector=${encodeURIComponent('idx in (0,6),tier!=odd')}`);
    expect(set.body.items.map((p: any) => p.metadata.name)).toEqual(['l0', 'l6']);
    const onNode = await api('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=n1,metadata.namespace=lw')}`);
    expect(onNode.body.items.map((p: any) => p.metadata.name)).toEqual(['l0', 'l1']);
    const byName = await api('GET', `${PODS}?fieldSelector=metadata.name%3Dl4`);
    expect(byName.body.items).toHaveLength(1);
    const badLabel = await api('GET', `${PODS}?labelSelector=${encodeURIComponent('a in (')}`);
    expect(badLabel.status).toBe(400);
    expect(badLabel.body.reason).toBe('BadRequest');
    const badField = await api('GET', `${PODS}?fieldSelector=spec.bogus%3Dx`);
    expect(badField.status).toBe(400);
    expect(badField.body.kind).toBe('Status');
  });

  test('each listed item is the object a GET returns, less apiVersion and kind', async () => {
    const list = await api('GET', PODS);
    expect(list.body.items).toHaveLength(7);
    for (const item of list.body.items) {
      const { apiVersion, kind, ...rest } = (await api('GET', `${PODS}/${item.metadata.name}`)).body;
      expect([apiVersion, kind]).toEqual(['v1', 'Pod']);
      expect(item).toEqual(rest);
    }
  });

  test('limit and continue page through every item once', async () => {
    const seen: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await api('GET', `${PODS}?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      expect(r.body.kind).toBe('PodList');
      seen.push(...r.body.items.map((p: any) => p.metadata.name));
      cont = r.body.metadata.continue ?? '';
      if (cont) expect(r.body.metadata.remainingItemCount).toBeGreaterThan(0);
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(seen).toEqual(['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
    const bad = await api('GET', `${PODS}?limit=2&continue=garbage`);
    expect([400, 410]).toContain(bad.status);
    expect(bad.body.kind).toBe('Status');
  });

  test('Tables for kubectl get, with includeObject', async () => {
    const t = await api('GET', PODS, undefined, TABLE);
    expect(t.headers.get('content-type')).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(t.body.kind).toBe('Table');
    expect(t.body.columnDefinitions[0]).toMatchObject({ name: 'Name', format: 'name' });
    expect(t.body.rows).toHaveLength(7);
    expect(t.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'l0', namespace: 'lw' } });
    const full = await api('GET', `${PODS}?includeObject=Object`, undefined, TABLE);
    expect(full.body.rows[0].object.spec).toBeDefined();
    const none = await api('GET', `${PODS}?includeObject=None`, undefined, TABLE);
    expect(none.body.rows[0].object).toBeUndefined();
    const one = await api('GET', `${PODS}/l0`, undefined, TABLE);
    expect(one.body.rows).toHaveLength(1);
    expect((await api('GET', `${PODS}?includeObject=Bogus`, undefined, TABLE)).status).toBe(400);
  });
});

describe('watch', () => {
  const WPODS = '/api/v1/namespaces/lw/pods';

  test('resourceVersion=0 sends current objects as ADDED, then live events; headers at once', async () => {
    await api('POST', WPODS, pod('w-initial', { metadata: { labels: { w: 'init' } } }));
    const started = Date.now();
    const watching = readWatch(`${server.url}${WPODS}?watch=true&resourceVersion=0&labelSelector=w`, (ev) => ev.length >= 3);
    await watching.opened;
    await api('PATCH', `${WPODS}/w-initial`, { metadata: { labels: { w: 'changed' } } }, { 'content-type': 'application/merge-patch+json' });
    await api('DELETE', `${WPODS}/w-initial`);
    const { events, status, headers } = await watching;
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('cache-control')).toBe('no-cache, private');
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events[0].object).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'w-initial' } });
    expect(events[1].object.metadata.labels.w).toBe('changed');
    expect(Number(events[2].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[1].object.metadata.resourceVersion));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('resourceVersion=N resumes after N', async () => {
    const a = await api('POST', WPODS, pod('resume-a', { metadata: { labels: { resume: 'y' } } }));
    await api('POST', WPODS, pod('resume-b', { metadata: { labels: { resume: 'y' } } }));
    const { events } = await readWatch(`${server.url}${WPODS}?watch=1&labelSelector=resume&resourceVersion=${a.body.metadata.resourceVersion}`, (ev) => ev.length >= 1);
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'resume-b' } } });
  });

  test('a compacted resourceVersion gets ERROR 410 Expired and the stream ends', async () => {
    const first = server.storage.currentRevision();
    for (let i = 0; i < 30; i++) await api('PATCH', `${PODS}/l0`, { metadata: { labels: { n: String(i) } } }, { 'content-type': 'application/merge-patch+json' });
    await server.compact();
    const { events, ended, status } = await readWatch(`${server.url}${WPODS}?watch=true&resourceVersion=${first}`, () => false, { timeoutMs: 5000 });
    expect(status).toBe(200);
    expect(ended).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expect(events[0].object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    expect(events[0].object.message).toMatch(/too old resource version/);
  });

  test('timeoutSeconds ends the stream (with a final bookmark when asked)', async () => {
    const t0 = Date.now();
    const { events, ended } = await readWatch(`${server.url}${WPODS}?watch=true&resourceVersion=${server.storage.currentRevision()}&timeoutSeconds=1&allowWatchBookmarks=true`, () => false, { timeoutMs: 5000 });
    expect(ended).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(events.at(-1)).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } } });
    expect(Object.keys(events.at(-1).object.metadata)).toEqual(['resourceVersion']);
  });

  test('selector transitions: stops matching -> DELETED, starts matching -> ADDED', async () => {
    await api('POST', WPODS, pod('flip', { metadata: { labels: { color: 'red' } } }));
    const watching = readWatch(`${server.url}${WPODS}?watch=true&resourceVersion=0&labelSelector=color%3Dred`, (ev) => ev.length >= 3);
    await watching.opened;
    const merge = { 'content-type': 'application/merge-patch+json' };
    await api('PATCH', `${WPODS}/flip`, { metadata: { labels: { color: 'blue' } } }, merge);
    await api('PATCH', `${WPODS}/flip`, { metadata: { labels: { note: 'ignored while blue' } } }, merge);
    await api('PATCH', `${WPODS}/flip`, { metadata: { labels: { color: 'red' } } }, merge);
    const { events } = await watching;
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
    expect(events[1].object.metadata.labels.color).toBe('blue');
  });

  test('field selector watch of one object (kubectl get pod x -w / delete --wait)', async () => {
    await api('POST', WPODS, pod('single'));
    await api('POST', WPODS, pod('other-single'));
    const watching = readWatch(`${server.url}${WPODS}?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dsingle`, (ev) => ev.length >= 2);
    await watching.opened;
    await api('DELETE', `${WPODS}/other-single`);
    await api('DELETE', `${WPODS}/single`);
    const { events } = await watching;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED single', 'DELETED single']);
  });

  test('Table watch: each event object is a one-row Table', async () => {
    const watching = readWatch(`${server.url}${WPODS}?watch=true&resourceVersion=${server.storage.currentRevision()}`, (ev) => ev.length >= 1, { headers: TABLE });
    await watching.opened;
    await api('POST', WPODS, pod('tabled'));
    const { events } = await watching;
    expect(events[0].type).toBe('ADDED');
    expect(events[0].object.kind).toBe('Table');
    expect(events[0].object.rows).toHaveLength(1);
    expect(events[0].object.rows[0].cells[0]).toBe('tabled');
  });

  test('a watch of all namespaces and of a cluster-scoped kind', async () => {
    const watching = readWatch(`${server.url}/api/v1/pods?watch=true&resourceVersion=${server.storage.currentRevision()}`, (ev) => ev.length >= 2);
    const nodes = readWatch(`${server.url}/api/v1/nodes?watch=true&resourceVersion=${server.storage.currentRevision()}`, (ev) => ev.length >= 1);
    await Promise.all([watching.opened, nodes.opened]);
    await api('POST', '/api/v1/namespaces/default/pods', pod('ns-a'));
    await api('POST', WPODS, pod('ns-b'));
    await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'wn1' } });
    expect((await watching).events.map((e) => `${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['default/ns-a', 'lw/ns-b']);
    expect((await nodes).events[0].object.metadata.name).toBe('wn1');
  });

  test('closing a watch unsubscribes it (watch gauge back to zero)', async () => {
    await readWatch(`${server.url}${WPODS}?watch=true`, (ev) => ev.length >= 1);
    // The server learns of the close from the socket: poll the gauge until it says so.
    await until('the pods watch gauge at 0', async () => /apiserver_watch_open\{resource="pods"\} 0/.test((await api('GET', '/metrics')).text));
  });

  test('an invalid resourceVersion is 400', async () => {
    const r = await api('GET', `${WPODS}?watch=true&resourceVersion=abc`);
    expect(r.status).toBe(400);
    expect(r.body.kind).toBe('Status');
  });
});
