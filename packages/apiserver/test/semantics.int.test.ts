// Write semantics over real HTTP: optimistic concurrency, generation, status/scale/binding
// subresources, deletion (finalizers, graceful pods, propagation), namespace cascade, dryRun,
// fieldValidation, server-side apply, validation errors.
import { useTestServer, deployment, pod } from './support/server.ts';
import { until } from '../src/testing/index.ts';

const { server, api } = useTestServer();

const PODS = '/api/v1/namespaces/default/pods';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const merge = { 'content-type': 'application/merge-patch+json' };
const jsonPatch = { 'content-type': 'application/json-patch+json' };
const strategic = { 'content-type': 'application/strategic-merge-patch+json' };

async function create(path: string, obj: any) {
  const r = await api('POST', path, obj);
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
  return r.body;
}

describe('optimistic concurrency', () => {
  test('PUT without resourceVersion is unconditional; a stale one is 409; a no-op keeps the revision', async () => {
    const p = await create(PODS, pod('occ'));
    const { resourceVersion: _rv, ...meta } = p.metadata;
    const r1 = await api('PUT', `${PODS}/occ`, { ...p, metadata: { ...meta, labels: { a: '1' } } });
    expect(r1.status).toBe(200);
    const r2 = await api('PUT', `${PODS}/occ`, { ...p, metadata: { ...p.metadata, labels: { a: '2' } } });
    expect(r2.status).toBe(409);
    expect(r2.body.reason).toBe('Conflict');
    const same = await api('PUT', `${PODS}/occ`, r1.body);
    expect(same.status).toBe(200);
    expect(same.body.metadata.resourceVersion).toBe(r1.body.metadata.resourceVersion);
    const noopPatch = await api('PATCH', `${PODS}/occ`, { metadata: { labels: { a: '1' } } }, merge);
    expect(noopPatch.body.metadata.resourceVersion).toBe(r1.body.metadata.resourceVersion);
  });

  test('a patch naming a stale resourceVersion is 409; without one it applies to the current object', async () => {
    const p = await create(PODS, pod('occ-patch'));
    await api('PATCH', `${PODS}/occ-patch`, { metadata: { labels: { x: '1' } } }, merge);
    const stale = await api('PATCH', `${PODS}/occ-patch`, { metadata: { resourceVersion: p.metadata.resourceVersion, labels: { x: '2' } } }, merge);
    expect(stale.status).toBe(409);
    const ok = await api('PATCH', `${PODS}/occ-patch`, [{ op: 'add', path: '/metadata/labels/y', value: '3' }], jsonPatch);
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.labels).toEqual({ x: '1', y: '3' });
  });

  test('uid, creationTimestamp, name and namespace are kept from the stored object', async () => {
    const p = await create(PODS, pod('immutable'));
    const r = await api('PUT', `${PODS}/immutable`, { ...p, metadata: { ...p.metadata, creationTimestamp: '2001-01-01T00:00:00Z', labels: { l: '1' } } });
    expect(r.status).toBe(200);
    expect(r.body.metadata.creationTimestamp).toBe(p.metadata.creationTimestamp);
    expect(r.body.metadata.uid).toBe(p.metadata.uid);
    const wrongUid = await api('PUT', `${PODS}/immutable`, { ...r.body, metadata: { ...r.body.metadata, uid: '00000000-0000-0000-0000-000000000000' } });
    expect(wrongUid.status).toBe(409);
  });
});

describe('generation', () => {
  test('bumps on spec (and, for deployments, annotation) changes only', async () => {
    const d = await create(DEPLOYS, deployment('gen'));
    expect(d.metadata.generation).toBe(1);
    const labelled = await api('PATCH', `${DEPLOYS}/gen`, { metadata: { labels: { extra: 'x' } } }, merge);
    expect(labelled.body.metadata.generation).toBe(1);
    const scaled = await api('PATCH', `${DEPLOYS}/gen`, { spec: { replicas: 5 } }, merge);
    expect(scaled.body.metadata.generation).toBe(2);
    const annotated = await api('PATCH', `${DEPLOYS}/gen`, { metadata: { annotations: { note: 'x' } } }, merge);
    expect(annotated.body.metadata.generation).toBe(3);
    const status = await api('PATCH', `${DEPLOYS}/gen/status`, { status: { observedGeneration: 3, replicas: 5 } }, merge);
    expect(status.status).toBe(200);
    expect(status.body.metadata.generation).toBe(3);
    expect(status.body.status).toMatchObject({ observedGeneration: 3, replicas: 5 });
  });
});

describe('status subresource', () => {
  test('main writes keep the stored status; status writes change nothing but status', async () => {
    const d = await create(DEPLOYS, deployment('st'));
    const withStatus = await api('PUT', `${DEPLOYS}/st`, { ...d, status: { replicas: 9 } });
    expect(withStatus.status).toBe(200);
    expect(withStatus.body.status?.replicas ?? 0).toBe(0);

    const cur = withStatus.body;
    const st = await api('PUT', `${DEPLOYS}/st/status`, { ...cur, metadata: { ...cur.metadata, labels: { sneaky: 'yes' } }, spec: { ...cur.spec, replicas: 7 }, status: { replicas: 2, readyReplicas: 1 } });
    expect(st.status).toBe(200);
    expect(st.body.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(st.body.spec.replicas).toBe(2);
    expect(st.body.metadata.labels).toEqual(cur.metadata.labels);
    expect((await api('GET', `${DEPLOYS}/st/status`)).body.status.readyReplicas).toBe(1);

    const podStatus = await create(PODS, pod('st-pod'));
    const ps = await api('PATCH', `${PODS}/st-pod/status`, { status: { phase: 'Running', podIP: '10.0.0.5' } }, merge);
    expect(ps.body.status).toMatchObject({ phase: 'Running', podIP: '10.0.0.5' });
    expect(ps.body.metadata.uid).toBe(podStatus.metadata.uid);
  });
});

describe('scale subresource', () => {
  test('GET, PUT (also without Content-Type), PATCH with every patch type', async () => {
    const d = await create(DEPLOYS, deployment('sc', 2));
    const s = await api('GET', `${DEPLOYS}/sc/scale`);
    expect(s.body).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'sc', namespace: 'default', uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=sc' },
    });
    const put = await fetch(`${server.url}${DEPLOYS}/sc/scale`, { method: 'PUT', body: Buffer.from(JSON.stringify({ ...s.body, spec: { replicas: 3 } })) });
    expect(put.status).toBe(200);
    expect(((await put.json()) as any).spec.replicas).toBe(3);
    const stale = await api('PUT', `${DEPLOYS}/sc/scale`, { ...s.body, spec: { replicas: 4 } });
    expect(stale.status).toBe(409);
    expect((await api('PATCH', `${DEPLOYS}/sc/scale`, { spec: { replicas: 4 } }, merge)).body.spec.replicas).toBe(4);
    expect((await api('PATCH', `${DEPLOYS}/sc/scale`, [{ op: 'replace', path: '/spec/replicas', value: 5 }], jsonPatch)).body.spec.replicas).toBe(5);
    expect((await api('PATCH', `${DEPLOYS}/sc/scale`, { spec: { replicas: 6 } }, strategic)).body.spec.replicas).toBe(6);
    const neg = await api('PATCH', `${DEPLOYS}/sc/scale`, { spec: { replicas: -1 } }, merge);
    expect(neg.status).toBe(422);
    expect(neg.body.reason).toBe('Invalid');
    const dep = (await api('GET', `${DEPLOYS}/sc`)).body;
    expect(dep.spec.replicas).toBe(6);
    expect(dep.metadata.generation).toBe(5);

    const rs = await create('/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'sc-rs' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    expect(rs.metadata.generation).toBe(1);
    expect((await api('GET', '/apis/apps/v1/namespaces/default/replicasets/sc-rs/scale')).body.status.selector).toBe('a=b');
    await create('/api/v1/namespaces/default/replicationcontrollers', {
      apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'sc-rc' },
      spec: { replicas: 1, selector: { a: 'b' }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    const rc = await api('PATCH', '/api/v1/namespaces/default/replicationcontrollers/sc-rc/scale', { spec: { replicas: 3 } }, merge);
    expect(rc.body).toMatchObject({ spec: { replicas: 3 }, status: { selector: 'a=b' } });
  });
});

describe('pods/binding', () => {
  test('binds once, atomically; a second binding is 409; a missing pod 404', async () => {
    await create(PODS, pod('bind-me'));
    const binding = (node: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { kind: 'Node', name: node } });
    const r = await api('POST', `${PODS}/bind-me/binding`, binding('n1'));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const p = (await api('GET', `${PODS}/bind-me`)).body;
    expect(p.spec.nodeName).toBe('n1');
    expect(p.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]));
    const again = await api('POST', `${PODS}/bind-me/binding`, binding('n2'));
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('Conflict');
    expect(again.body.message).toContain('pod bind-me is already assigned to node "n1"');
    const missing = await api('POST', `${PODS}/nobody/binding`, { ...binding('n1'), metadata: { name: 'nobody' } });
    expect(missing.status).toBe(404);
  });

  test('concurrent bindings: exactly one wins', async () => {
    await create(PODS, pod('race'));
    const results = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((n) => api('POST', `${PODS}/race/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'race' }, target: { kind: 'Node', name: n } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });
});

describe('deletion', () => {
  test('finalizers keep the object marked until the last one is removed', async () => {
    const d = await create(DEPLOYS, { ...deployment('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const del = await api('DELETE', `${DEPLOYS}/fin`);
    expect(del.status).toBe(200);
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    expect(del.body.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(del.body.metadata.generation).toBe(d.metadata.generation + 1);
    expect((await api('GET', `${DEPLOYS}/fin`)).status).toBe(200);
    const addMore = await api('PATCH', `${DEPLOYS}/fin`, { metadata: { finalizers: ['example.com/hold', 'new'] } }, merge);
    expect(addMore.status).toBe(422);
    const removed = await api('PATCH', `${DEPLOYS}/fin`, { metadata: { finalizers: null } }, merge);
    expect(removed.status).toBe(200);
    expect((await api('GET', `${DEPLOYS}/fin`)).status).toBe(404);
  });

  test('a deleted deployment answers a Success Status; a pod answers with the object', async () => {
    const d = await create(DEPLOYS, deployment('gone'));
    const r = await api('DELETE', `${DEPLOYS}/gone`, { propagationPolicy: 'Background' });
    expect(r.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'gone', group: 'apps', kind: 'deployments', uid: d.metadata.uid } });
    await create(PODS, pod('gone-pod'));
    const p = await api('DELETE', `${PODS}/gone-pod`);
    expect(p.body.kind).toBe('Pod');
    expect((await api('GET', `${PODS}/gone-pod`)).status).toBe(404);
  });

  test('a bound pod is marked with its grace period; only shorter periods apply; 0 removes it', async () => {
    await create(PODS, pod('graceful', { spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 } }));
    const first = await api('DELETE', `${PODS}/graceful`);
    expect(first.status).toBe(200);
    expect(first.body.metadata.deletionGracePeriodSeconds).toBe(30);
    const ts = Date.parse(first.body.metadata.deletionTimestamp);
    expect(ts).toBeGreaterThan(Date.now() + 25_000);
    const longer = await api('DELETE', `${PODS}/graceful`, { gracePeriodSeconds: 60 });
    expect(longer.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(longer.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    const shorter = await api('DELETE', `${PODS}/graceful`, { gracePeriodSeconds: 5 });
    expect(shorter.body.metadata.deletionGracePeriodSeconds).toBe(5);
    expect((await api('GET', `${PODS}/graceful`)).status).toBe(200);
    const confirm = await api('DELETE', `${PODS}/graceful?gracePeriodSeconds=0`);
    expect(confirm.status).toBe(200);
    expect((await api('GET', `${PODS}/graceful`)).status).toBe(404);
  });

  test('an unbound pod is deleted at once; --force (grace 0) deletes a bound one at once', async () => {
    await create(PODS, pod('unbound', { spec: { terminationGracePeriodSeconds: 30 } }));
    await api('DELETE', `${PODS}/unbound`);
    expect((await api('GET', `${PODS}/unbound`)).status).toBe(404);
    await create(PODS, pod('forced', { spec: { nodeName: 'n1' } }));
    await api('DELETE', `${PODS}/forced`, { gracePeriodSeconds: 0, propagationPolicy: 'Background' });
    expect((await api('GET', `${PODS}/forced`)).status).toBe(404);
  });

  test('Foreground and Orphan add the garbage collector finalizers', async () => {
    await create(DEPLOYS, deployment('fg'));
    const fg = await api('DELETE', `${DEPLOYS}/fg`, { propagationPolicy: 'Foreground' });
    expect(fg.body.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(fg.body.metadata.deletionTimestamp).toBeDefined();
    await create(DEPLOYS, deployment('or'));
    const or = await api('DELETE', `${DEPLOYS}/or?propagationPolicy=Orphan`);
    expect(or.body.metadata.finalizers).toEqual(['orphan']);
    const fin = await api('PATCH', `${DEPLOYS}/or`, [{ op: 'remove', path: '/metadata/finalizers' }], jsonPatch);
    expect(fin.status).toBe(200);
    expect((await api('GET', `${DEPLOYS}/or`)).status).toBe(404);
  });

  test('preconditions: uid and resourceVersion mismatches are 409', async () => {
    const p = await create(PODS, pod('pre'));
    const uid = await api('DELETE', `${PODS}/pre`, { preconditions: { uid: 'other' } });
    expect(uid.status).toBe(409);
    expect(uid.body.message).toContain('Precondition failed: UID in precondition: other');
    const rv = await api('DELETE', `${PODS}/pre`, { preconditions: { resourceVersion: '1' } });
    expect(rv.status).toBe(409);
    const ok = await api('DELETE', `${PODS}/pre`, { preconditions: { uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion } });
    expect(ok.status).toBe(200);
  });

  test('deletecollection removes what the selector matches', async () => {
    await create(PODS, pod('dc-1', { metadata: { labels: { dc: 'yes' } } }));
    await create(PODS, pod('dc-2', { metadata: { labels: { dc: 'yes' } } }));
    await create(PODS, pod('dc-3', { metadata: { labels: { dc: 'no' } } }));
    const r = await api('DELETE', `${PODS}?labelSelector=dc%3Dyes`);
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('PodList');
    expect(r.body.items.map((i: any) => i.metadata.name).sort()).toEqual(['dc-1', 'dc-2']);
    const left = await api('GET', `${PODS}?labelSelector=dc`);
    expect(left.body.items.map((i: any) => i.metadata.name)).toEqual(['dc-3']);
  });
});

describe('namespace lifecycle', () => {
  test('a namespace takes content the moment its create is answered (the server\'s view of namespaces may trail the write)', async () => {
    // On etcd the view is fed by a watch that trails the write; the create must not depend on it.
    for (let i = 0; i < 30; i++) {
      await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `fresh-${i}` } });
      await create(`/api/v1/namespaces/fresh-${i}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } });
    }
    // A namespace that does not exist still refuses content.
    const r = await api('POST', '/api/v1/namespaces/never-made/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(r.status).toBe(404);
    expect(r.body.message).toBe('namespaces "never-made" not found');
  });

  test('delete marks Terminating, refuses new content, empties the namespace, then removes it', async () => {
    await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await create('/api/v1/namespaces/doomed/pods', pod('a'));
    await create('/apis/apps/v1/namespaces/doomed/deployments', deployment('d'));
    // A finalizer holds one object, and with it the namespace, until it is removed.
    await create('/api/v1/namespaces/doomed/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'held', finalizers: ['x/y'] }, spec: { ports: [{ port: 80 }] } });
    const del = await api('DELETE', '/api/v1/namespaces/doomed');
    expect(del.status).toBe(200);
    expect(del.body.status.phase).toBe('Terminating');
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    const refused = await api('POST', '/api/v1/namespaces/doomed/pods', pod('late'));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('pods "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    await until('condition', async () => (await api('GET', '/api/v1/namespaces/doomed/pods/a')).status === 404);
    // One pass deletes resource by resource (awaiting the store), so the deployment may go a moment later.
    await until('deployment removed', async () => (await api('GET', '/apis/apps/v1/namespaces/doomed/deployments/d')).status === 404);
    expect((await api('GET', '/api/v1/namespaces/doomed')).status).toBe(200);
    await api('PATCH', '/api/v1/namespaces/doomed/services/held', { metadata: { finalizers: null } }, merge);
    await until('condition', async () => (await api('GET', '/api/v1/namespaces/doomed')).status === 404, 5000);
  });
});

describe('dryRun=All', () => {
  test('create, update, patch and delete answer as if done and store nothing', async () => {
    const before = await server.revision();
    const c = await api('POST', `${PODS}?dryRun=All`, pod('dry'));
    expect(c.status).toBe(201);
    expect(c.body.metadata.uid).toBeDefined();
    expect((await api('GET', `${PODS}/dry`)).status).toBe(404);
    expect(await server.revision()).toBe(before);

    const real = await create(PODS, pod('dry-real'));
    const rev = await server.revision();
    const u = await api('PATCH', `${PODS}/dry-real?dryRun=All`, { metadata: { labels: { dry: 'run' } } }, merge);
    expect(u.body.metadata.labels).toEqual({ dry: 'run' });
    const d = await api('DELETE', `${PODS}/dry-real?dryRun=All`);
    expect(d.status).toBe(200);
    expect(await server.revision()).toBe(rev);
    expect((await api('GET', `${PODS}/dry-real`)).body).toEqual(real);
    expect((await api('POST', `${PODS}?dryRun=Bogus`, pod('x'))).status).toBe(400);
  });
});

describe('fieldValidation', () => {
  const typo = () => {
    const d: any = deployment('typo');
    d.spec.replica = 2;
    d.spec.template.spec.containers[0].imagePullPolice = 'Always';
    return d;
  };
  test('Strict: 400 naming every unknown field, nothing stored', async () => {
    const r = await api('POST', `${DEPLOYS}?fieldValidation=Strict`, typo());
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe('BadRequest');
    expect(r.body.message).toContain('strict decoding error: ');
    expect(r.body.message).toContain('unknown field "spec.replica"');
    expect(r.body.message).toContain('unknown field "spec.template.spec.containers[0].imagePullPolice"');
    expect((await api('GET', `${DEPLOYS}/typo`)).status).toBe(404);
  });
  test('Strict: duplicate JSON fields are rejected too', async () => {
    const text = JSON.stringify(deployment('dup')).replace('"replicas":2', '"replicas":2,"replicas":3');
    const r = await api('POST', `${DEPLOYS}?fieldValidation=Strict`, text);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('duplicate field "spec.replicas"');
  });
  test('Strict: duplicate YAML keys are rejected', async () => {
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dupyaml\nspec:\n  replicas: 1\n  replicas: 2\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers: [{name: c, image: i}]\n';
    const r = await api('POST', `${DEPLOYS}?fieldValidation=Strict`, yaml, { 'content-type': 'application/yaml' });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('key "replicas" already set in map');
    const ok = await api('POST', DEPLOYS, yaml, { 'content-type': 'application/yaml' });
    expect(ok.status).toBe(201);
    expect(ok.body.spec.replicas).toBe(2);
  });
  test('Warn: accepted with a Warning header per field; Ignore: dropped silently', async () => {
    const w = await api('POST', `${DEPLOYS}?fieldValidation=Warn`, typo());
    expect(w.status).toBe(201);
    expect(w.headers.get('warning')).toContain('299 - "unknown field \\"spec.replica\\""');
    expect(w.body.spec.replica).toBeUndefined();
    const i = await api('POST', DEPLOYS, { ...typo(), metadata: { name: 'typo-ignored' } });
    expect(i.status).toBe(201);
    expect(i.headers.get('warning')).toBeNull();
    expect(i.body.spec.replica).toBeUndefined();
  });
});

describe('server-side apply', () => {
  test('creates when absent (201), then updates (200)', async () => {
    const apply = { 'content-type': 'application/apply-patch+yaml' };
    const first = await api('PATCH', `${DEPLOYS}/ssa?fieldManager=kubectl`, deployment('ssa', 1), apply);
    expect(first.status).toBe(201);
    expect(first.body.metadata.uid).toBeDefined();
    const second = await api('PATCH', `${DEPLOYS}/ssa?fieldManager=kubectl`, deployment('ssa', 3), apply);
    expect(second.status).toBe(200);
    expect(second.body.spec.replicas).toBe(3);
    const noManager = await api('PATCH', `${DEPLOYS}/ssa`, deployment('ssa', 3), apply);
    expect(noManager.status).toBe(422);
    const missingPatch = await api('PATCH', `${DEPLOYS}/nothing`, { spec: { replicas: 1 } }, merge);
    expect(missingPatch.status).toBe(404);
  });
});

describe('validation', () => {
  test('422 Invalid lists every cause with its field', async () => {
    const bad: any = deployment('bad', -1);
    bad.metadata.name = 'Bad_Name';
    const r = await api('POST', DEPLOYS, bad);
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(r.body.details.kind).toBe('Deployment');
    expect(r.body.details.group).toBe('apps');
    const fields = r.body.details.causes.map((c: any) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['metadata.name', 'spec.replicas']));
    expect(r.body.message).toMatch(/^Deployment\.apps "Bad_Name" is invalid: \[.*spec\.replicas: Invalid value: -1: must be greater than or equal to 0.*\]$/);
  });
});

describe('create on update', () => {
  test('PUT creates a missing Lease (201) as Kubernetes allows for leases, endpoints and events; not for pods (404)', async () => {
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 } };
    const r = await api('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', lease);
    expect(r.status).toBe(201);
    expect(r.body.metadata.uid).toBeDefined();
    const again = await api('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', { ...lease, spec: { ...lease.spec, leaseDurationSeconds: 10 } });
    expect(again.status).toBe(200);
    expect(again.body.spec.leaseDurationSeconds).toBe(10);
    expect((await api('PUT', `${PODS}/never-created`, pod('never-created'))).status).toBe(404);
  });
});
