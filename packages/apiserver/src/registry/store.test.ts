// ResourceStore.update starting from the server's cached copy (Storage.getCached): a copy that is
// behind the store must never decide the answer. The copy's staleness is a race between a write
// and this server's watch; here it is made certain by a storage whose cached copy is whatever the
// test set (over a real SQLite storage), so each case runs every time.
import { RESOURCES, type KubeObject } from '@skiff/api';
import type { ObjectKey, Storage } from '../storage/types.ts';
import { openIn, tempDir } from '../storage/sqlite/test-helpers.ts';
import type { SqliteStorage } from '../storage/sqlite/storage.ts';
import { ResourceStore } from './store.ts';

const CONFIGMAPS = RESOURCES.find((r) => r.plural === 'configmaps')!;
const key: ObjectKey = { resource: 'configmaps', namespace: 'default', name: 'cm' };

let dir: ReturnType<typeof tempDir>;
let inner: SqliteStorage;
/** The copy getCached answers with; reads that reached the store. */
let copy: KubeObject | undefined;
let reads: number;
let store: ResourceStore;

beforeEach(async () => {
  dir = tempDir();
  inner = openIn(dir.dir);
  copy = undefined;
  reads = 0;
  const storage: Storage = new Proxy(inner as Storage, {
    get(target, prop, receiver) {
      if (prop === 'getCached') return () => (copy ? structuredClone(copy) : undefined);
      if (prop === 'get') {
        return (k: ObjectKey) => {
          reads++;
          return target.get(k);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  store = new ResourceStore(CONFIGMAPS, storage, { phase: () => 'Active', lookup: () => 'Active' });
  await store.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { x: '1' } });
});
afterEach(() => {
  inner.close();
  dir.cleanup();
});

/** Another server's write: the store moves on, the copy stays where it was. */
async function writtenElsewhere(data: Record<string, string>): Promise<KubeObject> {
  copy = (await inner.get(key))!;
  return inner.update(key, (o) => ({ ...o, data }));
}

const setData = (data: Record<string, string>, pinned?: string) => (current: KubeObject): KubeObject => ({
  ...current,
  metadata: { ...current.metadata, resourceVersion: pinned },
  data,
});

test('an up-to-date copy spares the read: one write, no get', async () => {
  copy = (await inner.get(key))!;
  const { object } = await store.update('default', 'cm', { compute: setData({ x: '2' }), subresource: '' });
  expect(object.data).toEqual({ x: '2' });
  expect(reads).toBe(0);
});

test('a stale copy costs a Conflict and a read; the other write is not lost under this one', async () => {
  await writtenElsewhere({ x: '1', y: 'elsewhere' });
  const { object } = await store.update('default', 'cm', {
    compute: (current) => ({ ...current, metadata: { ...current.metadata, resourceVersion: undefined }, data: { ...(current.data as object), z: 'here' } }),
    subresource: '',
  });
  expect(object.data).toEqual({ x: '1', y: 'elsewhere', z: 'here' });
  expect((await inner.get(key))!.data).toEqual({ x: '1', y: 'elsewhere', z: 'here' });
  expect(reads).toBe(1);
});

test('a write that changes nothing on a stale copy is decided again on the store: it is written', async () => {
  await writtenElsewhere({ x: 'elsewhere' });
  // {x: '1'} is what the copy holds: on the copy alone this would be a no-op and the other
  // server's value would stay.
  const { object } = await store.update('default', 'cm', { compute: setData({ x: '1' }), subresource: '' });
  expect(object.data).toEqual({ x: '1' });
  expect((await inner.get(key))!.data).toEqual({ x: '1' });
});

test('a client pinning the current resourceVersion is not refused for the stale copy', async () => {
  const now = await writtenElsewhere({ x: 'elsewhere' });
  const { object } = await store.update('default', 'cm', { compute: setData({ x: '3' }, now.metadata.resourceVersion), subresource: '' });
  expect(object.data).toEqual({ x: '3' });
});

test('a client pinning an old resourceVersion still gets its 409, from the store', async () => {
  const old = (await inner.get(key))!.metadata.resourceVersion;
  await writtenElsewhere({ x: 'elsewhere' });
  copy = undefined;
  await expect(store.update('default', 'cm', { compute: setData({ x: '3' }, old), subresource: '' })).rejects.toMatchObject({ code: 409 });
  copy = (await inner.get(key))!;
  // The copy at the old revision: the refusal is decided on a read, and stands.
  copy.metadata.resourceVersion = old;
  await expect(store.update('default', 'cm', { compute: setData({ x: '3' }, old), subresource: '' })).rejects.toMatchObject({ code: 409 });
  expect((await inner.get(key))!.data).toEqual({ x: 'elsewhere' });
});

test('a deleted object is NotFound, not written from the copy', async () => {
  copy = (await inner.get(key))!;
  await inner.delete(key);
  await expect(store.update('default', 'cm', { compute: setData({ x: '2' }), subresource: '' })).rejects.toMatchObject({ code: 404 });
  expect(await inner.get(key)).toBeUndefined();
});

test('a dry run reads the store, not the copy', async () => {
  await writtenElsewhere({ x: 'elsewhere', y: '1' });
  const { object } = await store.update('default', 'cm', { compute: (c) => ({ ...c, metadata: { ...c.metadata, resourceVersion: undefined } }), subresource: '', dryRun: true });
  expect(object.data).toEqual({ x: 'elsewhere', y: '1' });
  expect(reads).toBe(1);
});
