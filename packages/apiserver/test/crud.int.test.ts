// CRUD of every kind over real HTTP, and the exact Status bodies of every error class.
import { useTestServer, deployment, pod } from './support/server.ts';

const { server, api } = useTestServer();

const labels = { app: 'x' };
const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'skiff/busybox:1' }] } };
// `protectedBy`: the finalizer the API server puts on every new object of the kind (a controller takes it off).
const KINDS: { path: string; list: string; obj: any; kindPlural: string; group?: string; protectedBy?: string }[] = [
  { path: '/api/v1/namespaces', list: 'NamespaceList', kindPlural: 'namespaces', obj: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'crud-ns' } } },
  { path: '/api/v1/namespaces/default/pods', list: 'PodList', kindPlural: 'pods', obj: pod('crud-pod') },
  { path: '/api/v1/namespaces/default/services', list: 'ServiceList', kindPlural: 'services', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'crud-svc' }, spec: { selector: labels, ports: [{ port: 80 }] } } },
  { path: '/api/v1/namespaces/default/endpoints', list: 'EndpointsList', kindPlural: 'endpoints', obj: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'crud-ep' }, subsets: [] } },
  { path: '/api/v1/nodes', list: 'NodeList', kindPlural: 'nodes', obj: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'crud-node' } } },
  {
    path: '/api/v1/namespaces/default/events',
    list: 'EventList',
    kindPlural: 'events',
    obj: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'crud-ev' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'hello', type: 'Normal' },
  },
  {
    path: '/api/v1/namespaces/default/replicationcontrollers',
    list: 'ReplicationControllerList',
    kindPlural: 'replicationcontrollers',
    obj: { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'crud-rc' }, spec: { replicas: 1, selector: labels, template } },
  },
  { path: '/apis/apps/v1/namespaces/default/deployments', list: 'DeploymentList', kindPlural: 'deployments', group: 'apps', obj: deployment('crud-deploy') },
  {
    path: '/apis/apps/v1/namespaces/default/replicasets',
    list: 'ReplicaSetList',
    kindPlural: 'replicasets',
    group: 'apps',
    obj: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'crud-rs' }, spec: { replicas: 1, selector: { matchLabels: labels }, template } },
  },
  {
    path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    list: 'LeaseList',
    kindPlural: 'leases',
    group: 'coordination.k8s.io',
    obj: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'crud-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 } },
  },
  { path: '/api/v1/namespaces/default/configmaps', list: 'ConfigMapList', kindPlural: 'configmaps', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'crud-cm' }, data: { a: '1' } } },
  { path: '/api/v1/namespaces/default/secrets', list: 'SecretList', kindPlural: 'secrets', obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'crud-secret' }, data: { a: 'MQ==' } } },
  { path: '/api/v1/namespaces/default/serviceaccounts', list: 'ServiceAccountList', kindPlural: 'serviceaccounts', obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'crud-sa' } } },
  {
    path: '/api/v1/namespaces/default/persistentvolumeclaims',
    list: 'PersistentVolumeClaimList',
    kindPlural: 'persistentvolumeclaims',
    protectedBy: 'kubernetes.io/pvc-protection',
    obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'crud-pvc' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  },
  {
    path: '/api/v1/persistentvolumes',
    list: 'PersistentVolumeList',
    kindPlural: 'persistentvolumes',
    protectedBy: 'kubernetes.io/pv-protection',
    obj: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'crud-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/crud-pv' } } },
  },
  {
    path: '/apis/storage.k8s.io/v1/storageclasses',
    list: 'StorageClassList',
    kindPlural: 'storageclasses',
    group: 'storage.k8s.io',
    obj: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'crud-sc' }, provisioner: 'example.com/x' },
  },
  {
    path: '/apis/apps/v1/namespaces/default/daemonsets',
    list: 'DaemonSetList',
    kindPlural: 'daemonsets',
    group: 'apps',
    obj: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'crud-ds' }, spec: { selector: { matchLabels: labels }, template } },
  },
  {
    path: '/apis/apps/v1/namespaces/default/statefulsets',
    list: 'StatefulSetList',
    kindPlural: 'statefulsets',
    group: 'apps',
    obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'crud-sts' }, spec: { serviceName: 'crud', selector: { matchLabels: labels }, template } },
  },
  {
    path: '/apis/apps/v1/namespaces/default/controllerrevisions',
    list: 'ControllerRevisionList',
    kindPlural: 'controllerrevisions',
    group: 'apps',
    obj: { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'crud-cr' }, data: { spec: { template: { $patch: 'replace' } } }, revision: 1 },
  },
  {
    path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets',
    list: 'PodDisruptionBudgetList',
    kindPlural: 'poddisruptionbudgets',
    group: 'policy',
    obj: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'crud-pdb' }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
  },
  {
    path: '/apis/networking.k8s.io/v1/namespaces/default/ingresses',
    list: 'IngressList',
    kindPlural: 'ingresses',
    group: 'networking.k8s.io',
    obj: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'crud-ing' }, spec: { rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
  },
];

describe.each(KINDS)('CRUD $kindPlural', ({ path, list, obj, kindPlural, group, protectedBy }) => {
  test('create, get, list, update, conflict, delete, not found', async () => {
    const name = obj.metadata.name;
    const created = await api('POST', path, obj);
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(created.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(created.headers.get('cache-control')).toBe('no-cache, private');

    const got = await api('GET', `${path}/${name}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const listed = await api('GET', path);
    expect(listed.body.kind).toBe(list);
    expect(listed.body.apiVersion).toBe(obj.apiVersion);
    expect(Number(listed.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.body.metadata.resourceVersion));
    const item = listed.body.items.find((i: any) => i.metadata.name === name);
    // Items of a typed list carry no apiVersion/kind, as kube-apiserver encodes them.
    expect(item).toEqual((({ apiVersion: _a, kind: _k, ...rest }) => rest)(created.body));

    const changed = { ...got.body, metadata: { ...got.body.metadata, labels: { changed: 'yes' } } };
    const updated = await api('PUT', `${path}/${name}`, changed);
    expect(updated.status).toBe(200);
    expect(updated.body.metadata.labels).toMatchObject({ changed: 'yes' });
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(got.body.metadata.resourceVersion));

    const stale = await api('PUT', `${path}/${name}`, changed);
    expect(stale.status).toBe(409);
    const qualified = group ? `${kindPlural}.${group}` : kindPlural;
    expect(stale.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      reason: 'Conflict',
      details: { name, ...(group ? { group } : {}), kind: kindPlural },
      code: 409,
    });

    const dup = await api('POST', path, obj);
    expect(dup.status).toBe(409);
    expect(dup.body.reason).toBe('AlreadyExists');
    expect(dup.body.message).toBe(`${qualified} "${name}" already exists`);

    const del = await api('DELETE', `${path}/${name}`);
    expect(del.status).toBe(200);
    if (protectedBy) {
      // Only marked while its finalizer is on; taking it off (the protection controller's job) removes it.
      expect(created.body.metadata.finalizers).toEqual([protectedBy]);
      const held = await api('GET', `${path}/${name}`);
      expect(held.body.metadata).toMatchObject({ finalizers: [protectedBy], deletionTimestamp: expect.any(String) });
      expect((await api('PATCH', `${path}/${name}`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' })).status).toBe(200);
    }
    // Namespaces are only marked; they go away once emptied (in the background).
    if (kindPlural !== 'namespaces') {
      const gone = await api('GET', `${path}/${name}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `${qualified} "${name}" not found`,
        reason: 'NotFound',
        details: { name, ...(group ? { group } : {}), kind: kindPlural },
        code: 404,
      });
    }
  });
});

describe('errors', () => {
  test('404 for a pod that is not there, and for an unknown path', async () => {
    const r = await api('GET', '/api/v1/namespaces/default/pods/nope');
    expect(r.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404,
    });
    const p = await api('GET', '/api/v1/widgets');
    expect(p.status).toBe(404);
    expect(p.body.kind).toBe('Status');
    expect(p.headers.get('cache-control')).toBe('no-cache, private');
  });

  test('405 for a method a path does not serve', async () => {
    const r = await api('PUT', '/api/v1/namespaces/default/pods', pod('x'));
    expect(r.status).toBe(405);
    expect(r.body.reason).toBe('MethodNotAllowed');
  });

  test('a write into a missing namespace is 404 for the namespace; nothing stored', async () => {
    const r = await api('POST', '/api/v1/namespaces/missing/pods', pod('p'));
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('namespaces "missing" not found');
    expect(r.body.details).toEqual({ name: 'missing', kind: 'namespaces' });
  });

  test('namespace in the body differing from the path is 400', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/pods', pod('p', { metadata: { namespace: 'other' } }));
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
    expect(r.body.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  test('wrong kind or apiVersion for the path is 400', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/pods', deployment('d'));
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
    expect(r.body.message).toMatch(/Deployment in version "apps\/v1" cannot be handled as a Pod/);
    const r2 = await api('POST', '/apis/apps/v1/namespaces/default/deployments', { ...deployment('d'), apiVersion: 'v1' });
    expect(r2.status).toBe(400);
  });

  test('malformed JSON and YAML are 400; protobuf and others 415; too large 413; never stored', async () => {
    const before = await server.revision();
    const bad = await api('POST', '/api/v1/namespaces/default/pods', '{"apiVersion": "v1", ');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(bad.body.message).toMatch(/json parse error/);

    const badYaml = await api('POST', '/api/v1/namespaces/default/pods', 'metadata: [unclosed', { 'content-type': 'application/yaml' });
    expect(badYaml.status).toBe(400);
    expect(badYaml.body.reason).toBe('BadRequest');

    const notObject = await api('POST', '/api/v1/namespaces/default/pods', '[1,2]');
    expect(notObject.status).toBe(400);

    const proto = await api('POST', '/api/v1/namespaces/default/pods', 'k8s\u0000xx', { 'content-type': 'application/vnd.kubernetes.protobuf' });
    expect(proto.status).toBe(415);
    expect(proto.body.reason).toBe('UnsupportedMediaType');
    expect(proto.body.message).toContain('--dry-run=client -o yaml | kubectl apply -f -');

    const xml = await api('POST', '/api/v1/namespaces/default/pods', '<pod/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(xml.body.message).toMatch(/accepted media types include: application\/json, application\/yaml/);

    const patch415 = await api('PATCH', '/api/v1/namespaces/default/pods/x', '{}', { 'content-type': 'application/json' });
    expect(patch415.status).toBe(415);

    const big = pod('big', { metadata: { annotations: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } } });
    const tooBig = await api('POST', '/api/v1/namespaces/default/pods', big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    expect(tooBig.body.message).toBe('Request entity too large: limit is 3145728');

    const rvSet = await api('POST', '/api/v1/namespaces/default/pods', pod('rv', { metadata: { resourceVersion: '12' } }));
    expect(rvSet.status).toBe(400);
    expect(rvSet.body.message).toBe('resourceVersion should not be set on objects to be created');

    expect(await server.revision()).toBe(before);
  });

  test('YAML bodies are accepted on create and update', async () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: c\n    image: skiff/busybox:1\n';
    const r = await api('POST', '/api/v1/namespaces/default/pods', yaml, { 'content-type': 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toBe('from-yaml');
    const upd = yaml.replace('name: from-yaml', `name: from-yaml\n  labels:\n    via: yaml`);
    const u = await api('PUT', '/api/v1/namespaces/default/pods/from-yaml', upd, { 'content-type': 'application/yaml' });
    expect(u.status).toBe(200);
    expect(u.body.metadata.labels).toEqual({ via: 'yaml' });
  });

  test('a PUT with no Content-Type is read as JSON', async () => {
    await api('POST', '/api/v1/namespaces/default/pods', pod('no-ct'));
    const cur = (await api('GET', '/api/v1/namespaces/default/pods/no-ct')).body;
    cur.metadata.labels = { ct: 'none' };
    const r = await fetch(`${server.url}/api/v1/namespaces/default/pods/no-ct`, { method: 'PUT', body: Buffer.from(JSON.stringify(cur)) });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).metadata.labels).toEqual({ ct: 'none' });
  });

  test('a name mismatch between body and URL is 400', async () => {
    await api('POST', '/api/v1/namespaces/default/pods', pod('named'));
    const cur = (await api('GET', '/api/v1/namespaces/default/pods/named')).body;
    const r = await api('PUT', '/api/v1/namespaces/default/pods/named', { ...cur, metadata: { ...cur.metadata, name: 'other' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('the name of the object (other) does not match the name on the URL (named)');
  });

  test('writes into a terminating namespace are 403; default and kube-system cannot be deleted', async () => {
    expect((await api('DELETE', '/api/v1/namespaces/default')).body).toMatchObject({
      status: 'Failure', reason: 'Forbidden', code: 403, message: 'namespaces "default" is forbidden: this namespace may not be deleted',
    });
    expect((await api('DELETE', '/api/v1/namespaces/kube-system')).status).toBe(403);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect((await api('GET', `/api/v1/namespaces/${ns}`)).status).toBe(200);
  });

  test('Cache-Control on every response, health endpoints answer ok', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) {
      const r = await api('GET', p);
      expect(r.status).toBe(200);
      expect(r.text).toBe('ok');
      expect(r.headers.get('cache-control')).toBe('no-cache, private');
    }
    expect((await api('GET', '/version')).headers.get('cache-control')).toBe('no-cache, private');
  });
});

describe('generateName', () => {
  test('creates a name from the prefix', async () => {
    const r = await api('POST', '/api/v1/namespaces/default/pods', { ...pod('x'), metadata: { generateName: 'web-' } });
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('metrics', () => {
  test('request counters, durations, watch gauge and db size in Prometheus text', async () => {
    await api('GET', '/api/v1/namespaces/default/pods');
    const r = await api('GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/apiserver_request_total\{verb="list",resource="pods",code="200"\} \d+/);
    expect(r.text).toMatch(/apiserver_request_duration_seconds_bucket\{le="[\d.]+",verb="list",resource="pods"\}/);
    expect(r.text).toContain('apiserver_watch_open');
    expect(r.text).toMatch(/apiserver_storage_db_size_bytes \d+/);
    expect(r.text).toMatch(/apiserver_storage_duration_seconds_count\{operation="create"\} \d+/);
  });

  test('a scrape while writes wait for their commit is answered once: the async handler returns its reply', async () => {
    // The reply to any request waits for the open write batch to commit (app.ts's onSend). An
    // async handler that sent without returning its reply was sent a second time by fastify
    // (with no body) while the first waited; the first then wrote its headers after the second's:
    // ERR_HTTP_HEADERS_SENT, uncaught, and `skiff server` died under bench:apiserver's load.
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    try {
      // Writers keep a batch open nearly all the time while the scrapes run, one after another.
      let scraping = true;
      let n = 0;
      const writer = async () => {
        while (scraping) expect((await api('POST', '/api/v1/namespaces/default/pods', pod(`scrape-race-${n++}`))).status).toBe(201);
      };
      const writers = Array.from({ length: 16 }, writer);
      try {
        for (let i = 0; i < 40; i++) {
          const r = await api('GET', '/metrics');
          expect(r.status).toBe(200);
          expect(r.text).toContain('apiserver_request_total');
        }
      } finally {
        scraping = false;
        await Promise.all(writers);
      }
      await new Promise((r) => setImmediate(r)); // let a late duplicate send surface
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
    }
  });
});

describe('unexpected failures', () => {
  test('an exception that is not an API error renders as a Status 500', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { buildApp } = await import('../src/app.ts');
    const dir = mkdtempSync(join(tmpdir(), 'skiff-500-'));
    const app = await buildApp({ dataDir: dir });
    app.get('/boom', () => {
      throw new Error('kaboom');
    });
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      const r = await app.inject({ method: 'GET', url: '/boom' });
      expect(r.statusCode).toBe(500);
      expect(r.headers['cache-control']).toBe('no-cache, private');
      expect(JSON.parse(r.body)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Internal error occurred: kaboom', reason: 'InternalError', code: 500 });
      expect(errors).toHaveLength(1);
    } finally {
      console.error = orig;
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
