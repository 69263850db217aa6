// etcd-only behaviour, on a real three-member cluster: several storages (API servers) on one
// cluster, the watch stream surviving a member that dies or goes silent (etcd3's watchers can go
// silent after a reconnect: ours must not), compaction while a storage was cut off (its watchers
// end with Expired so clients relist), and the key/value layout.
import type { KubeObject } from '@skiff/api';
import { Etcd3 } from 'etcd3';
import { StorageError } from '../types.ts';
import type { StorageEvent } from '../types.ts';
import { pod, podKey } from '../sqlite/test-helpers.ts';
import { until } from '../../testing/until.ts';
import { startEtcdCluster } from '../../testing/etcd-cluster.ts';
import type { EtcdCluster } from '../../testing/etcd-cluster.ts';
import { startTcpProxy } from '../../../test/support/tcp-proxy.ts';
import { EtcdStorage } from './storage.ts';
import type { EtcdStorageOptions } from './options.ts';
import { KeyCodec, bytesAt, encodeObject, textAt } from './codec.ts';
import { rawTextString } from '../object-text.ts';
import { parseDatastore } from './options.ts';

let cluster: EtcdCluster;
/** A client of the test's own (etcd3's), for what no storage does: writes outside the prefix, compaction at a revision. */
let admin: Etcd3;
let n = 0;
const open: EtcdStorage[] = [];
beforeAll(async () => {
  cluster = await startEtcdCluster(3);
  admin = new Etcd3({ hosts: cluster.hosts.map((h) => `http://${h}`) });
}, 30_000);
afterAll(async () => {
  admin.close();
  await cluster.stop();
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function storage(o: Partial<EtcdStorageOptions> = {}, prefix = `/skiff-e${++n}/`): Promise<EtcdStorage> {
  const s = await EtcdStorage.open({ hosts: cluster.hosts, prefix, compactIntervalMs: 0, requestTimeoutMs: 2000, watchCheckIntervalMs: 200, watchStallMs: 1000, ...o });
  open.push(s);
  return s;
}
const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);

describe('codec', () => {
  test('keys: resource (with group), namespace, name; bookkeeping keys are not objects', () => {
    const k = new KeyCodec('/skiff/');
    expect(k.key({ resource: 'apps/deployments', namespace: 'default', name: 'web' }).toString()).toBe('/skiff/apps/deployments/default/web');
    expect(k.decode(Buffer.from('/skiff/apps/deployments/default/web'))).toEqual({ resource: 'apps/deployments', namespace: 'default', name: 'web' });
    expect(k.decode(Buffer.from('/skiff/nodes//n1'))).toEqual({ resource: 'nodes', namespace: '', name: 'n1' });
    expect(k.decode(k.internal('compact_rev_key'))).toBeUndefined();
    expect(k.decode(Buffer.from('/other/pods/a/b'))).toBeUndefined();
  });

  test('the resourceVersion is spliced into its one place, whatever the strings hold', () => {
    const o = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', resourceVersion: '9', annotations: { trap: '"resourceVersion":""' } }, spec: { resourceVersion: '' } } as KubeObject;
    const stored = encodeObject(o);
    const back = JSON.parse(textAt(stored, 42));
    expect(back.metadata.resourceVersion).toBe('42');
    expect(back.metadata.annotations.trap).toBe('"resourceVersion":""');
    expect(back.spec).toEqual({ resourceVersion: '' });
    expect(stored.startsWith('{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":""')).toBe(true);
    // The same splice on the stored bytes, as lists make it: the same text, in pieces.
    expect(rawTextString(bytesAt(Buffer.from(stored), 42))).toBe(textAt(stored, 42));
    expect(() => bytesAt(Buffer.from('{"metadata":{}}'), 1)).toThrow(/placeholder/);
  });

  test('--datastore-endpoint parsing and refusals', () => {
    expect(parseDatastore({})).toBeUndefined();
    expect(parseDatastore({ endpoint: 'etcd://127.0.0.1:2379,127.0.0.2:2379' })).toEqual({ hosts: ['127.0.0.1:2379', '127.0.0.2:2379'], tls: undefined });
    expect(() => parseDatastore({ endpoint: 'mysql://x:1' })).toThrow(/expected etcd:\/\//);
    expect(() => parseDatastore({ endpoint: 'etcd://nohost' })).toThrow(/not host:port/);
    expect(() => parseDatastore({ endpoint: 'etcd://h:99999' })).toThrow(/port out of range/);
    expect(() => parseDatastore({ cafile: '/x' })).toThrow(/need --datastore-endpoint/);
    expect(() => parseDatastore({ endpoint: 'etcd://h:1', certfile: '/x' })).toThrow(/go together/);
    expect(() => parseDatastore({ endpoint: 'etcd://h:1', cafile: '/does/not/exist' })).toThrow(/cannot read/);
  });
});

describe('lists in chunks', () => {
  test('a list of many chunks (each asked for before the last is processed) has every object once, in order, at one revision', async () => {
    const s = await storage({ listChunk: 3 });
    const names = Array.from({ length: 11 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    for (const name of names) await s.create(podKey(name, 'ns'), pod(name, 'ns'));
    const r = await s.listRaw('pods', { namespace: 'ns' });
    const items = r.items.map((t) => JSON.parse(rawTextString(t)) as KubeObject);
    expect(items.map((o) => o.metadata.name)).toEqual(names);
    for (const o of items) expect(o).toEqual(await s.get(podKey(o.metadata.name!, 'ns')));
    // A create racing a list is in it exactly when the list's revision covers it: every chunk is
    // read at the first one's revision.
    const racing = s.listRaw('pods', { namespace: 'ns' });
    const p99 = await s.create(podKey('p99', 'ns'), pod('p99', 'ns'));
    const r2 = await racing;
    const has99 = r2.items.some((t) => rawTextString(t).includes('"name":"p99"'));
    expect(has99).toBe(r2.revision >= rv(p99));
    expect(r2.items).toHaveLength(has99 ? 12 : 11);
    // A filter across chunks, and pages (limit + continue) through them.
    const odd = await s.list('pods', { namespace: 'ns', filter: (o) => Number(o.metadata.name!.slice(1)) % 2 === 1 });
    expect(odd.items.map((o) => o.metadata.name)).toEqual(['p01', 'p03', 'p05', 'p07', 'p09', 'p99']);
    const p1 = await s.list('pods', { namespace: 'ns', limit: 5 });
    const p2 = await s.list('pods', { namespace: 'ns', limit: 5, continue: p1.continue });
    const p3 = await s.list('pods', { namespace: 'ns', limit: 5, continue: p2.continue });
    expect([...p1.items, ...p2.items, ...p3.items].map((o) => o.metadata.name)).toEqual([...names, 'p99']);
    expect(p3.continue).toBeUndefined();
  });
});

describe('lists from the object cache', () => {
  /** The same list read from etcd: a limit larger than the list takes the etcd path. */
  const fromEtcd = (s: EtcdStorage, namespace?: string) => s.listRaw('pods', { namespace, limit: 100_000 });
  const texts = (r: { items: Parameters<typeof rawTextString>[0][] }) => r.items.map(rawTextString);

  test('a whole list is the list etcd holds, at once after a write on another server (a quorum read, then the watch caught up)', async () => {
    const prefix = `/skiff-e${++n}/`;
    const a = await storage({}, prefix);
    const b = await storage({}, prefix);
    for (const ns of ['n1', 'n2', 'n10']) for (const name of ['x', 'a', 'm']) await a.create(podKey(name, ns), pod(name, ns));
    await until('both caches filled', () => a.objectCacheReady && b.objectCacheReady);
    expect(texts(await b.listRaw('pods'))).toEqual(texts(await fromEtcd(b)));
    expect(texts(await b.listRaw('pods', { namespace: 'n1' }))).toEqual(texts(await fromEtcd(b, 'n1')));
    expect((await b.list('pods', { namespace: 'n1' })).items.map((o) => o.metadata.name)).toEqual(['a', 'm', 'x']);
    // Writes through the other server are in the very next list, whatever its watch had delivered.
    for (let i = 0; i < 20; i++) {
      const created = await a.create(podKey(`c${i}`, 'n2'), pod(`c${i}`, 'n2'));
      await a.update(podKey('x', 'n2'), (o) => ({ ...o, metadata: { ...o.metadata, labels: { i: String(i) } } }));
      if (i % 5 === 0) await a.delete(podKey(`c${i}`, 'n2'));
      const listed = await b.listRaw('pods', { namespace: 'n2' });
      expect(listed.revision).toBeGreaterThanOrEqual(rv(created));
      expect(texts(listed)).toEqual(texts(await fromEtcd(b, 'n2')));
    }
    const filtered = await b.list('pods', { filter: (o) => o.metadata.name === 'x' });
    expect(filtered.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['n1/x', 'n10/x', 'n2/x']);
  });

  test('getCached answers from the cache: the stored object at its revision once delivered; nothing for keys it does not hold', async () => {
    const s = await storage();
    await until('the cache filled', () => s.objectCacheReady);
    const created = await s.create(podKey('g'), pod('g'));
    await until('the create delivered', () => s.currentRevision() >= rv(created));
    expect(s.getCached(podKey('g'))).toEqual(await s.get(podKey('g')));
    expect(s.getCached(podKey('absent'))).toBeUndefined();
    const deleted = await s.delete(podKey('g'));
    await until('the delete delivered', () => s.currentRevision() >= rv(deleted));
    expect(s.getCached(podKey('g'))).toBeUndefined();
  });

  test('after the watch lost history (compaction while cut off), the cache is filled anew: a delete it missed is not listed', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(cluster.hosts[0].split(':')[1]) });
    try {
      const s = await storage({ hosts: [proxy.address] });
      const w = await storage({}, s.keys.prefix);
      let expired = 0;
      s.watch('pods', { fromRevision: s.currentRevision(), onExpired: () => expired++ }, () => {});
      await w.create(podKey('doomed'), pod('doomed'));
      await w.create(podKey('kept'), pod('kept'));
      await until('the cache holds both', async () => s.objectCacheReady && (await s.list('pods')).items.length === 2);
      proxy.cut();
      await w.delete(podKey('doomed'));
      const now = rv(await w.create(podKey('new'), pod('new')));
      await admin.kv.compact({ revision: now, physical: true });
      proxy.restore();
      await until('onExpired', () => expired === 1, 15_000);
      await until('the cache filled again', () => s.objectCacheReady, 15_000);
      expect((await s.list('pods')).items.map((o) => o.metadata.name)).toEqual(['kept', 'new']);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('several storages on one cluster (several API servers)', () => {
  test('a write on one is seen by watchers on the other, in order, with no gap; a conflict is a Conflict on either', async () => {
    const a = await storage({}, '/skiff-shared/');
    const b = await storage({}, '/skiff-shared/');
    const seenOnB: number[] = [];
    b.watch('pods', { fromRevision: b.currentRevision() }, (e) => seenOnB.push(e.revision));
    const written: number[] = [];
    await Promise.all(
      [a, b, a, b].map(async (s, w) => {
        for (let i = 0; i < 25; i++) written.push(rv(await s.create(podKey(`w${w}-${i}`), pod(`w${w}-${i}`))));
      }),
    );
    written.sort((x, y) => x - y);
    await until('events on b', () => seenOnB.length >= written.length, 10_000);
    expect(seenOnB).toEqual(written);

    const cur = (await a.get(podKey('w0-0')))!;
    const results = await Promise.allSettled([a, b, a, b].map((s, i) => s.update(podKey('w0-0'), (c) => ({ ...c, spec: { by: i } }), rv(cur))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as StorageError).code).toBe('Conflict');
  });
});

describe('the watch stream under faults', () => {
  /** Writes through `w` and checks that `s`'s watcher gets each acknowledged write exactly once, in order. */
  async function expectDelivered(s: EtcdStorage, seen: StorageEvent[], written: number[], ms: number) {
    await until(`${written.length} events`, () => seen.filter((e) => written.includes(e.revision)).length >= written.length, ms);
    const revs = seen.map((e) => e.revision);
    expect(new Set(revs).size).toBe(revs.length); // none twice
    expect([...revs].sort((x, y) => x - y)).toEqual(revs); // in order
    for (const r of written) expect(revs).toContain(r);
  }

  test('the position (bookmarks, resumes) moves with delivered events only, never with a progress notification', async () => {
    const s = await storage();
    const seen: StorageEvent[] = [];
    s.watch('pods', { fromRevision: s.currentRevision() }, (e) => seen.push(e));
    const created = rv(await s.create(podKey('p'), pod('p')));
    await until('the event', () => seen.length > 0);
    expect(s.currentRevision()).toBe(created);
    // A write outside the prefix moves the cluster's revision; the member's progress
    // notifications (asked for at every check) then report it. The position stays at the last
    // delivered event: a notification may run ahead of events on etcd 3.4.23 (etcd issue 15220).
    const outside = Number((await admin.kv.put({ key: Buffer.from('/elsewhere/x'), value: Buffer.from('x') })).header.revision);
    await until('a progress notification past the outside write', () => s.watchMemberProgress >= outside, 5000);
    expect(s.currentRevision()).toBe(created);
    // A reconnect resumes after the last delivered event: the next one arrives once, in order.
    s.restartWatchStream();
    const next = rv(await s.create(podKey('q'), pod('q')));
    await until('the next event', () => seen.length > 1);
    expect(seen.map((e) => e.revision)).toEqual([created, next]);
    expect(s.currentRevision()).toBe(next);
  });

  test('a member killed under the stream: the stream moves to another member and resumes with no gap', async () => {
    // The default deadline (5 s): a write that meets a killed leader waits out the election.
    const s = await storage({ requestTimeoutMs: 5000 });
    const seen: StorageEvent[] = [];
    s.watch('pods', { fromRevision: s.currentRevision() }, (e) => seen.push(e));
    const written: number[] = [];
    const failed: string[] = [];
    for (let m = 0; m < 3; m++) {
      await cluster.kill(m);
      // The other two keep a quorum, so every write succeeds: one that meets the dead member (or
      // the election when it was the leader) is retried on another (./fault-handling.ts).
      for (let i = 0; i < 10; i++) {
        try {
          written.push(rv(await s.create(podKey(`k${m}-${i}`), pod(`k${m}-${i}`))));
        } catch (e) {
          failed.push(`member ${m} down, write ${i}: ${(e as Error).message}`);
        }
      }
      await expectDelivered(s, seen, written, 15_000);
      await cluster.start(m);
      // Killing the next member before this one has rejoined would leave one member: no quorum.
      await cluster.rejoined(m);
    }
    expect(failed).toEqual([]);
    expect(written).toHaveLength(30);
    expect(s.watchReconnects).toBeGreaterThanOrEqual(1);
  }, 90_000);

  test('a member that stops answering (SIGSTOP) under the stream: the silence is noticed and the stream moves', async () => {
    const s = await storage();
    const seen: StorageEvent[] = [];
    s.watch('pods', { fromRevision: s.currentRevision() }, (e) => seen.push(e));
    for (let m = 0; m < 3; m++) {
      const others = cluster.hosts.filter((_, i) => i !== m);
      const writer = await storage({ hosts: others }, s.keys.prefix);
      await cluster.pause(m);
      try {
        const written: number[] = [];
        // If the stopped member led, the other two elect a new leader first: a write meanwhile may
        // fail (Unavailable) and is tried again; only acknowledged writes are expected.
        for (let i = 0; i < 5; i++) {
          for (let attempt = 0; ; attempt++) {
            try {
              written.push(rv(await writer.create(podKey(`s${m}-${i}`), pod(`s${m}-${i}`))));
              break;
            } catch (e) {
              const code = (e as StorageError).code;
              if (code === 'AlreadyExists') break; // an earlier attempt committed without an answer
              if (code !== 'Unavailable' || attempt >= 10) throw e;
            }
          }
        }
        // Delivered while the member is still stopped: only a replaced stream can do that.
        await expectDelivered(s, seen, written, 20_000);
      } finally {
        cluster.resume(m);
      }
    }
    expect(s.watchReconnects).toBeGreaterThanOrEqual(1);
  }, 120_000);

  test('history compacted while a storage was cut off: its watchers end with onExpired; new watches work', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(cluster.hosts[0].split(':')[1]) });
    try {
      const s = await storage({ hosts: [proxy.address] });
      const w = await storage({}, s.keys.prefix);
      const seen: number[] = [];
      let expired = 0;
      s.watch('pods', { fromRevision: s.currentRevision(), onExpired: () => expired++ }, (e) => seen.push(e.revision));
      const first = rv(await w.create(podKey('before'), pod('before')));
      await until('seen.includes(first)', () => seen.includes(first));
      proxy.cut();
      for (let i = 0; i < 5; i++) await w.create(podKey(`gone${i}`), pod(`gone${i}`));
      const now = rv(await w.create(podKey('last'), pod('last')));
      await admin.kv.compact({ revision: now, physical: true });
      proxy.restore();
      await until('onExpired', () => expired === 1, 15_000);
      expect(seen).toEqual([first]);
      expect(() => s.watch('pods', { fromRevision: first }, () => {})).toThrow(StorageError);
      // A client that relists and watches again gets what follows.
      const list = await s.list('pods');
      expect(list.items.map((o) => o.metadata.name).sort()).toEqual(['before', 'gone0', 'gone1', 'gone2', 'gone3', 'gone4', 'last']);
      const again: number[] = [];
      s.watch('pods', { fromRevision: list.revision }, (e) => again.push(e.revision));
      const after = rv(await w.create(podKey('after'), pod('after')));
      await until('again.includes(after)', () => again.includes(after));
    } finally {
      await proxy.close();
    }
  }, 60_000);

  test('without a quorum, calls fail with Unavailable within the deadline instead of hanging; acknowledged data survives', async () => {
    const s = await storage({ requestTimeoutMs: 1500 });
    const kept = await s.create(podKey('kept'), pod('kept'));
    await cluster.kill(1);
    await cluster.kill(2);
    try {
      const t0 = Date.now();
      let err: unknown;
      try {
        await s.create(podKey('lost'), pod('lost'));
      } catch (e) {
        err = e;
      }
      expect((err as StorageError).code).toBe('Unavailable');
      expect((err as StorageError).message).toMatch(/^the datastore \(etcd\) is unavailable \(\d+ attempts? in \d+\.\d s\): /);
      // One deadline for the whole call, shared by its attempts (./fault-handling.ts); the rest
      // is a loaded machine's scheduling delay.
      expect(Date.now() - t0).toBeLessThan(1500 + 1500);
    } finally {
      await cluster.start(1);
      await cluster.start(2);
    }
    // Once a member is back there is a quorum again; the acknowledged object is there.
    let back: KubeObject | undefined;
    const poll = setInterval(() => void s.get(podKey('kept')).then((o) => (back ??= o), () => {}), 200);
    try {
      await until('quorum back', () => back !== undefined, 20_000);
    } finally {
      clearInterval(poll);
    }
    expect(back).toEqual(kept);
  }, 60_000);
});
