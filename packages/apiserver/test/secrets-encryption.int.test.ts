// Secrets at rest (issue 12 §4, ADR 0020): what the datastore holds for a Secret is sealed
// (AES-256-GCM, `k8s:enc:aesgcm:v1:KEY:`), on SQLite the database files themselves contain
// neither the value nor its base64; every client still reads plain Secrets (get, list, watch,
// Tables), and a key rotation re-seals every Secret and retires the old key.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { client, readWatch } from './support/server.ts';
import { startTestServer, TEST_DATASTORE } from '../src/testing/index.ts';
import type { Client, TestServer } from './support/server.ts';
import { EncryptingStorage, ENCRYPTION_KEY_FILE, parseKeyFile, rotateEncryptionKey } from '../src/storage/encryption/index.ts';
import { rawTextString } from '../src/storage/object-text.ts';

const VALUE = 'hunter2-correct-horse-battery-staple';
const B64 = Buffer.from(VALUE).toString('base64');
const SECRETS = '/api/v1/namespaces/default/secrets';

let server: TestServer;
let api: Client;
let sealing: EncryptingStorage;
beforeAll(async () => {
  server = await startTestServer();
  api = client(server.url);
  sealing = server.storage as EncryptingStorage;
});
afterAll(() => server.close());

/** Every byte the datastore holds for the cluster: SQLite's files, or etcd's values under this server. */
async function storedBytes(): Promise<Buffer> {
  await sealing.flush?.();
  if (TEST_DATASTORE === 'sqlite') return Buffer.concat(readdirSync(server.dataDir).filter((f) => f.startsWith('skiff.db')).map((f) => readFileSync(join(server.dataDir, f))));
  const texts: Buffer[] = [];
  for (const r of ['secrets', 'configmaps']) texts.push(...(await sealing.inner.listRaw(r)).items.map((t) => Buffer.from(rawTextString(t))));
  return Buffer.concat(texts);
}

test('the stored Secret is sealed; the datastore holds neither its value nor its base64', async () => {
  const created = await api('POST', SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', labels: { app: 'db' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { password: VALUE } }) } },
    stringData: { password: VALUE },
  });
  expect(created.status).toBe(201);
  expect(created.body.data.password).toBe(B64);
  const stored = (await sealing.inner.get({ resource: 'secrets', namespace: 'default', name: 'db' })) as unknown as Record<string, unknown>;
  expect(stored.sealed).toMatch(/^k8s:enc:aesgcm:v1:key1:[A-Za-z0-9+/=]+$/);
  expect(Object.keys(stored).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'sealed']);
  const bytes = await storedBytes();
  expect(bytes.length).toBeGreaterThan(0);
  expect(bytes.includes(VALUE)).toBe(false);
  expect(bytes.includes(B64)).toBe(false);
  // ...while a ConfigMap, not encrypted, is stored readably (the search itself works).
  expect((await api('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' }, data: { probe: 'visible-probe-value' } })).status).toBe(201);
  expect((await storedBytes()).includes('visible-probe-value')).toBe(true);
});

test('get, list, label-selected list, Table and watch return the plain Secret', async () => {
  const got = await api('GET', `${SECRETS}/db`);
  expect(got.body).toMatchObject({ kind: 'Secret', metadata: { name: 'db', labels: { app: 'db' } }, data: { password: B64 }, type: 'Opaque' });
  expect(got.body.sealed).toBeUndefined();
  const listed = await api('GET', `${SECRETS}?labelSelector=app%3Ddb`);
  expect(listed.body.items.map((s: any) => s.data.password)).toEqual([B64]);
  expect((await api('GET', `${SECRETS}?labelSelector=app%3Dother`)).body.items).toEqual([]);
  const table = await api('GET', SECRETS, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  expect(table.body.rows.find((r: any) => r.cells[0] === 'db').cells).toEqual(['db', 'Opaque', 1, expect.any(String)]);
  const watch = readWatch(`${server.url}${SECRETS}?watch=true&resourceVersion=${got.body.metadata.resourceVersion}`, (ev) => ev.length >= 2);
  await watch.opened;
  const updated = await api('PUT', `${SECRETS}/db`, { ...got.body, data: { password: B64, extra: Buffer.from('more').toString('base64') } });
  expect(updated.status).toBe(200);
  expect((await api('DELETE', `${SECRETS}/db`)).status).toBe(200);
  const { events } = await watch;
  expect(events.map((e) => e.type)).toEqual(['MODIFIED', 'DELETED']);
  expect(events.map((e) => e.object.data.password)).toEqual([B64, B64]);
  expect(events[1].object.metadata.resourceVersion).not.toBe(updated.body.metadata.resourceVersion);
});

test('an update that changes nothing keeps the resourceVersion (no new nonce written)', async () => {
  const c = await api('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'same' }, data: { k: B64 } });
  const again = await api('PUT', `${SECRETS}/same`, c.body);
  expect(again.status).toBe(200);
  expect(again.body.metadata.resourceVersion).toBe(c.body.metadata.resourceVersion);
});

test('a sealed value moved onto another Secret does not open (the key is authenticated data)', async () => {
  await api('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'victim' }, data: { k: B64 } });
  const thief = await api('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'thief' }, data: { k: 'eA==' } });
  expect(thief.status).toBe(201);
  const victim = (await sealing.inner.get({ resource: 'secrets', namespace: 'default', name: 'victim' })) as unknown as { sealed: string };
  await sealing.inner.update({ resource: 'secrets', namespace: 'default', name: 'thief' }, (o) => ({ ...o, sealed: victim.sealed }) as typeof o);
  const r = await api('GET', `${SECRETS}/thief`);
  expect(r.status).toBe(500);
  expect(r.text).not.toContain(VALUE);
  await sealing.inner.delete({ resource: 'secrets', namespace: 'default', name: 'thief' });
});

test('rotate-key re-seals every Secret with a new key and retires the old one; reads work throughout', async () => {
  const path = server.encryptionKeyFile!;
  if (TEST_DATASTORE === 'sqlite') expect(path).toBe(join(server.dataDir, ENCRYPTION_KEY_FILE));
  expect(statSync(path).mode & 0o777).toBe(0o600);
  for (let i = 0; i < 5; i++) expect((await api('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `r${i}` }, stringData: { v: `${VALUE}-${i}` } })).status).toBe(201);
  const result = await rotateEncryptionKey(sealing, path);
  expect(result.key).toBe('key2');
  expect(result.retired).toEqual(['key1']);
  expect(result.resealed).toBeGreaterThanOrEqual(6);
  expect(parseKeyFile(readFileSync(path, 'utf8')).map((k) => k.name)).toEqual(['key2']);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const { items } = await sealing.inner.list('secrets');
  expect(items.map((o) => EncryptingStorage.sealedWith(o))).toEqual(items.map(() => 'key2'));
  for (let i = 0; i < 5; i++) expect(Buffer.from((await api('GET', `${SECRETS}/r${i}`)).body.data.v, 'base64').toString()).toBe(`${VALUE}-${i}`);
  expect((await storedBytes()).includes(`${VALUE}-3`)).toBe(false);
});
