// 50 watchers over HTTP while 1,000 writes land concurrently: every watcher sees every event,
// in resourceVersion order, with nothing lost or duplicated.
import { client, pod } from './support/server.ts';
import { startTestServer } from '../src/testing/index.ts';
import type { TestServer } from './support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const WATCHERS = 50;
const WRITES = 1000;

test(`${WATCHERS} watchers each see all ${WRITES} concurrent writes in order`, async () => {
  const api = client(server.url);
  await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fan' } });
  // The store's own revision: on etcd, storage.currentRevision() is the watch stream's progress and may
  // not have reached the namespace this test created yet.
  const from = await server.revision();
  const seen: number[][] = Array.from({ length: WATCHERS }, () => []);
  const controllers: AbortController[] = [];
  const registered: Promise<void>[] = [];
  const readers = seen.map(async (revs, i) => {
    const ac = new AbortController();
    controllers.push(ac);
    let markRegistered!: () => void;
    registered.push(new Promise<void>((r) => (markRegistered = r)));
    // The headers come once the server has registered the watch.
    const r = await fetch(`${server.url}/api/v1/namespaces/fan/pods?watch=true&resourceVersion=${from}`, { signal: ac.signal }).finally(markRegistered);
    const reader = r.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      while (revs.length < WRITES) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (ev.type !== 'ADDED') throw new Error(`watcher ${i}: unexpected ${ev.type}`);
          revs.push(Number(ev.object.metadata.resourceVersion));
        }
      }
    } finally {
      ac.abort();
    }
  });
  // Every watch registered before writing, so the writes go through live fan-out.
  await Promise.all(registered);
  let next = 0;
  const writer = async () => {
    while (next < WRITES) {
      const n = next++;
      const r = await api('POST', '/api/v1/namespaces/fan/pods', pod(`p${n}`));
      if (r.status !== 201) throw new Error(`write ${n}: ${r.status} ${r.text}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, writer));
  await Promise.all(readers);
  const expected = Array.from({ length: WRITES }, (_, i) => from + i + 1);
  for (const revs of seen) expect(revs).toEqual(expected);
}, 120_000);
