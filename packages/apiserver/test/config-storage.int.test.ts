// ConfigMaps, Secrets, ServiceAccounts, PersistentVolumeClaims, PersistentVolumes and
// StorageClasses over real HTTP: defaults, Kubernetes' validation messages (every cause, nothing
// stored), immutability, stringData, the built-in StorageClass and DefaultStorageClass admission.
import { useTestServer, readWatch } from './support/server.ts';

const { server, api } = useTestServer();

const CM = '/api/v1/namespaces/default/configmaps';
const SECRETS = '/api/v1/namespaces/default/secrets';
const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';
const PVS = '/api/v1/persistentvolumes';
const SCS = '/apis/storage.k8s.io/v1/storageclasses';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...extra });
const causes = (body: any) => (body.details?.causes ?? []).map((c: any) => `${c.field}: ${c.message}`);
const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };

/** A refused create: 422 Invalid with exactly these causes, and no object stored. */
async function expectInvalid(path: string, obj: any, expected: string[]) {
  const r = await api('POST', path, obj);
  expect(r.status).toBe(422);
  expect(r.body.reason).toBe('Invalid');
  expect(causes(r.body)).toEqual(expected);
  expect((await api('GET', `${path}/${obj.metadata.name}`)).status).toBe(404);
  return r;
}

describe('ConfigMap', () => {
  test('data, binaryData and immutable round-trip; DATA counts both', async () => {
    const r = await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app' }, data: { 'a.conf': 'x=1' }, binaryData: { bin: b64('\u0000\u0001') } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ data: { 'a.conf': 'x=1' }, binaryData: { bin: 'AAE=' } });
    const table = await api('GET', `${CM}/app`, undefined, TABLE);
    expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.body.rows[0].cells.slice(0, 2)).toEqual(['app', 2]);
  });

  test('bad keys and a key in both maps: every cause, nothing stored', async () => {
    await expectInvalid(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'badkeys' }, data: { 'a b': '1', '..x': '2', dup: '3' }, binaryData: { dup: 'AA==' } }, [
      "data[..x]: Invalid value: \"..x\": must not start with '..'",
      "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
    ]);
  });

  test('binaryData that is not base64 is a 400 naming the byte, not the value', async () => {
    const r = await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'badb64' }, binaryData: { k: 'c2VjcmV0!' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 8');
  });

  test('an immutable ConfigMap keeps its data and stays immutable; metadata may change', async () => {
    const created = await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true });
    expect(created.status).toBe(201);
    const change = await api('PATCH', `${CM}/frozen`, { data: { a: '2' }, immutable: false }, { 'content-type': 'application/merge-patch+json' });
    expect(change.status).toBe(422);
    expect(causes(change.body)).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set', 'data: Forbidden: field is immutable when `immutable` is set']);
    const labelled = await api('PATCH', `${CM}/frozen`, { metadata: { labels: { ok: 'yes' } } }, { 'content-type': 'application/merge-patch+json' });
    expect(labelled.status).toBe(200);
    expect(labelled.body.data).toEqual({ a: '1' });
  });

  test('watch sees a new ConfigMap', async () => {
    const list = await api('GET', CM);
    const watching = readWatch(`${server.url}${CM}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, (ev) => ev.length >= 1);
    await api('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { k: 'v' } });
    const { events } = await watching;
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'watched' }, data: { k: 'v' } } });
  });
});

describe('Secret', () => {
  test('stringData is merged into data on create and patch, and never stored; type defaults to Opaque', async () => {
    const r = await api('POST', SECRETS, secret('creds', { data: { user: b64('admin') }, stringData: { password: 'hunter2', user: 'root' } }));
    expect(r.status).toBe(201);
    expect(r.body.type).toBe('Opaque');
    expect(r.body.data).toEqual({ user: b64('root'), password: b64('hunter2') });
    expect(r.body.stringData).toBeUndefined();
    const patched = await api('PATCH', `${SECRETS}/creds`, { stringData: { token: 'abc' } }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.body.data).toEqual({ user: b64('root'), password: b64('hunter2'), token: b64('abc') });
    const got = await api('GET', `${SECRETS}/creds`);
    expect(got.body.stringData).toBeUndefined();
    const table = await api('GET', SECRETS, undefined, TABLE);
    expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(table.body.rows.find((row: any) => row.cells[0] === 'creds').cells.slice(0, 3)).toEqual(['creds', 'Opaque', 3]);
  });

  test('each typed Secret needs its keys, with Kubernetes messages; values are never echoed', async () => {
    await expectInvalid(SECRETS, secret('tls', { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'CERT-VALUE' } }), ['data[tls.key]: Required value']);
    await expectInvalid(SECRETS, secret('basic', { type: 'kubernetes.io/basic-auth', data: {} }), ['data[%s][username]: Required value', 'data[%s][password]: Required value']);
    await expectInvalid(SECRETS, secret('ssh', { type: 'kubernetes.io/ssh-auth', stringData: { other: 'x' } }), ['data[%s][ssh-privatekey]: Required value']);
    await expectInvalid(SECRETS, secret('sat', { type: 'kubernetes.io/service-account-token' }), ['metadata.annotations[kubernetes.io/service-account.name]: Required value']);
    await expectInvalid(SECRETS, secret('dcj', { type: 'kubernetes.io/dockerconfigjson' }), ['data[.dockerconfigjson]: Required value']);
    const bad = await expectInvalid(SECRETS, secret('dcj2', { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': 'not json SUPERSECRET' } }), [
      'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character in JSON input',
    ]);
    expect(bad.text).not.toContain('SUPERSECRET');
    expect(bad.text).not.toContain(b64('not json SUPERSECRET'));
  });

  test('the typed Secrets kubectl makes are accepted', async () => {
    const ok = async (s: any) => expect((await api('POST', SECRETS, s)).status).toBe(201);
    await ok(secret('tls-ok', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }));
    await ok(secret('basic-ok', { type: 'kubernetes.io/basic-auth', stringData: { username: 'u' } }));
    await ok(secret('ssh-ok', { type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': 'k' } }));
    await ok(secret('dcj-ok', { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } }));
    await ok(secret('sat-ok', { type: 'kubernetes.io/service-account-token', metadata: { name: 'sat-ok', annotations: { 'kubernetes.io/service-account.name': 'default' } } }));
    const byType = await api('GET', `${SECRETS}?fieldSelector=type=kubernetes.io/tls`);
    expect(byType.body.items.map((i: any) => i.metadata.name)).toEqual(['tls-ok']);
  });

  test('an immutable Secret: data, immutable and type cannot change (stringData included)', async () => {
    expect((await api('POST', SECRETS, secret('locked', { stringData: { a: '1' }, immutable: true }))).status).toBe(201);
    const r = await api('PATCH', `${SECRETS}/locked`, { stringData: { a: '2' }, type: 'Other', immutable: null }, { 'content-type': 'application/merge-patch+json' });
    expect(r.status).toBe(422);
    expect(causes(r.body)).toEqual([
      'type: Invalid value: "Other": field is immutable',
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    expect((await api('GET', `${SECRETS}/locked`)).body.data).toEqual({ a: b64('1') });
  });
});

describe('storage', () => {
  test('the API server creates the default StorageClass local', async () => {
    const sc = await api('GET', `${SCS}/local`);
    expect(sc.status).toBe(200);
    expect(sc.body).toMatchObject({
      metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'skiff.dev/local',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    const table = await api('GET', SCS, undefined, TABLE);
    expect(table.body.rows[0].cells.slice(0, 5)).toEqual(['local (default)', 'skiff.dev/local', 'Delete', 'WaitForFirstConsumer', false]);
  });

  test('a claim without a class gets the default one; "" asks for none; defaults filled', async () => {
    const spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };
    const r = await api('POST', PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec });
    expect(r.status).toBe(201);
    expect(r.body.spec).toMatchObject({ storageClassName: 'local', volumeMode: 'Filesystem' });
    expect(r.body.status).toEqual({ phase: 'Pending' });
    const none = await api('POST', PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'noclass' }, spec: { ...spec, storageClassName: '' } });
    expect(none.body.spec.storageClassName).toBe('');
    const table = await api('GET', `${PVCS}/data`, undefined, TABLE);
    expect(table.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
    expect(table.body.rows[0].cells.slice(0, 7)).toEqual(['data', 'Pending', '', '', '', 'local', '<unset>']);
  });

  test('a bad claim lists every cause; a claim is immutable except binding and growing', async () => {
    await expectInvalid(PVCS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'bad' }, spec: { accessModes: ['ReadWriteOncePod', 'ReadWriteOnce', 'Sometimes'], volumeMode: 'Raw' } }, [
      'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
      'spec.resources[storage]: Required value',
      'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"',
    ]);
    const merge = { 'content-type': 'application/merge-patch+json' };
    const modes = await api('PATCH', `${PVCS}/data`, { spec: { accessModes: ['ReadWriteMany'] } }, merge);
    expect(modes.status).toBe(422);
    expect(causes(modes.body)).toEqual(['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
    const bound = await api('PATCH', `${PVCS}/data`, { spec: { volumeName: 'pv-data' } }, merge);
    expect(bound.status).toBe(200);
    const status = await api('PATCH', `${PVCS}/data/status`, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } }, merge);
    expect(status.body.status.phase).toBe('Bound');
    expect((await api('PATCH', `${PVCS}/data`, { spec: { resources: { requests: { storage: '2Gi' } } } }, merge)).status).toBe(200);
    const shrink = await api('PATCH', `${PVCS}/data`, { spec: { resources: { requests: { storage: '1Gi' } } } }, merge);
    expect(causes(shrink.body)).toEqual(['spec.resources.requests.storage: Forbidden: field can not be less than previous value']);
  });

  test('a volume needs capacity, access modes and exactly one source', async () => {
    const pv = (name: string, spec: any) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec });
    await expectInvalid(PVS, pv('nosource', {}), [
      'spec.accessModes: Required value',
      'spec.capacity: Required value',
      'spec.capacity: Unsupported value: core.ResourceList{}: supported values: "storage"',
      'spec: Required value: must specify a volume type',
    ]);
    await expectInvalid(PVS, pv('two', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/a' }, local: { path: '/b' } }), [
      'spec.local: Forbidden: may not specify more than 1 volume type',
    ]);
    await expectInvalid(PVS, pv('local', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/b' } }), ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
    const ok = await api('POST', PVS, pv('hp', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/a' } }));
    expect(ok.status).toBe(201);
    expect(ok.body.spec).toMatchObject({ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/a', type: '' } });
    expect(ok.body.status).toEqual({ phase: 'Pending' });
    const moved = await api('PATCH', `${PVS}/hp`, { spec: { hostPath: { path: '/elsewhere' } } }, { 'content-type': 'application/merge-patch+json' });
    expect(causes(moved.body)).toEqual(['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']);
  });

  test('a StorageClass needs a provisioner; its provisioner, parameters and policies are fixed', async () => {
    const sc = (name: string, extra: any) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, ...extra });
    await expectInvalid(SCS, sc('noprov', { reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }), [
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
    expect((await api('POST', SCS, sc('fast', { provisioner: 'example.com/fast', parameters: { tier: '1' } }))).status).toBe(201);
    const r = await api('PATCH', `${SCS}/fast`, { provisioner: 'example.com/slow', parameters: { tier: '2' }, volumeBindingMode: 'WaitForFirstConsumer' }, { 'content-type': 'application/merge-patch+json' });
    expect(causes(r.body)).toEqual([
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
  });
});
