import { applyServerSideApply } from './server-side-apply.ts';
import { PatchError } from './errors.ts';
import type { JsonObject } from './json.ts';

function errorOf(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-02T00:00:00Z';

function config(podSpec: JsonObject, replicas = 2): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec } },
  };
}

/** What the server would store: the result plus server-set fields. */
function stored(object: JsonObject): JsonObject {
  const o = structuredClone(object) as any;
  o.metadata.uid = 'uid-1';
  o.metadata.resourceVersion = '7';
  return o;
}

const apply = (live: JsonObject | undefined, applied: JsonObject, fieldManager = 'kubectl', force = false, now = T1) =>
  applyServerSideApply(live, applied, { kind: 'Deployment', fieldManager, force, now });

describe('applyServerSideApply', () => {
  const web = { containers: [{ name: 'web', image: 'x:1', ports: [{ containerPort: 80 }, { containerPort: 9090 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] };

  test('creates when absent, with one Apply entry in managedFields', () => {
    const { object, created } = apply(undefined, config(web));
    expect(created).toBe(true);
    const o = object as any;
    expect(o.spec.replicas).toBe(2);
    expect(o.metadata.name).toBe('web');
    expect(o.metadata.managedFields).toHaveLength(1);
    const entry = o.metadata.managedFields[0];
    expect(entry).toMatchObject({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1' });
    expect(entry.fieldsV1['f:spec']['f:replicas']).toEqual({});
    expect(entry.fieldsV1['f:metadata']).toEqual({ 'f:labels': { 'f:app': {} } }); // name/namespace are owned by nobody
    expect(entry.fieldsV1).not.toHaveProperty('f:apiVersion');
  });

  test('merges into the live object, keeping fields the configuration does not mention', () => {
    const live = stored(apply(undefined, config(web)).object);
    (live as any).spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent'; // a default the server filled in
    (live as any).status = { replicas: 2 };
    const next = config({ containers: [{ ...web.containers[0], image: 'x:2' }] }, 3);
    const { object, created } = apply(live, next, 'kubectl', false, T2);
    const o = object as any;
    expect(created).toBe(false);
    expect(o.spec.replicas).toBe(3);
    expect(o.spec.template.spec.containers[0]).toMatchObject({ image: 'x:2', imagePullPolicy: 'IfNotPresent' });
    expect(o.status).toEqual({ replicas: 2 });
    expect(o.metadata.uid).toBe('uid-1');
    expect(o.metadata.managedFields).toHaveLength(1);
    expect(o.metadata.managedFields[0].time).toBe(T2);
  });

  test('a container port and an env var dropped from the configuration are removed', () => {
    const live = stored(apply(undefined, config(web)).object);
    const next = config({ containers: [{ name: 'web', image: 'x:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] });
    const c = (apply(live, next).object as any).spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ containerPort: 80 }]);
    expect(c.env).toEqual([{ name: 'A', value: '1' }]);
  });

  test('a dropped label is removed; fields owned by another manager stay', () => {
    const live = stored(apply(undefined, { ...config(web), metadata: { name: 'web', labels: { app: 'web', tier: 'a' } } }).object);
    const both = stored(apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { tier: 'a' } } }, 'other').object);
    const next = apply(both, config(web)).object as any; // kubectl no longer lists tier
    expect(next.metadata.labels).toEqual({ app: 'web', tier: 'a' }); // "other" still owns tier
    const alone = apply(live, config(web)).object as any;
    expect(alone.metadata.labels).toEqual({ app: 'web' });
  });

  test('another Apply manager owning a field with another value: 409 with causes, unless forced', () => {
    const live = stored(apply(undefined, config(web)).object);
    const scaler = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } };
    const e = errorOf(() => apply(live, scaler, 'scaler'));
    expect(e.code).toBe(409);
    expect(e.reason).toBe('Conflict');
    expect(e.message).toBe('Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas');
    expect(e.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" using apps/v1', field: '.spec.replicas' }]);

    const forced = apply(live, scaler, 'scaler', true).object as any;
    expect(forced.spec.replicas).toBe(5);
    const managers = forced.metadata.managedFields.map((m: any) => m.manager);
    expect(managers).toEqual(['kubectl', 'scaler']);
    expect(forced.metadata.managedFields[0].fieldsV1['f:spec']).not.toHaveProperty('f:replicas'); // taken away
    // kubectl applying its old value again now conflicts with the new owner.
    expect(errorOf(() => apply(stored(forced), config(web))).causes[0].message).toBe('conflict with "scaler" using apps/v1');
  });

  test('the same value from two managers is shared, not a conflict', () => {
    const live = stored(apply(undefined, config(web)).object);
    const same = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } };
    const o = apply(live, same, 'other').object as any;
    expect(o.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl', 'other']);
    expect(o.metadata.managedFields[0].fieldsV1['f:spec']['f:replicas']).toEqual({});
    expect(o.metadata.managedFields[1].fieldsV1['f:spec']['f:replicas']).toEqual({});
  });

  test('Update managers conflict too, as in Kubernetes; with force they lose the fields this apply changes', () => {
    const live = stored(apply(undefined, config(web)).object) as any;
    live.metadata.managedFields.push({ manager: 'kubectl-edit', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
    const err = errorOf(() => apply(live, config(web, 4)));
    expect(err.code).toBe(409);
    expect(err.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' }]);
    const o = apply(live, config(web, 4), 'kubectl', true).object as any;
    expect(o.spec.replicas).toBe(4);
    expect(o.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl']);
  });

  test('preconditions: a stale resourceVersion or another uid is 409', () => {
    const live = stored(apply(undefined, config(web)).object);
    const stale = config(web) as any;
    stale.metadata.resourceVersion = '6';
    expect(errorOf(() => apply(live, stale)).code).toBe(409);
    stale.metadata.resourceVersion = '7';
    expect((apply(live, stale).object as any).metadata.resourceVersion).toBe('7');
  });

  test('invalid requests: no fieldManager (422), not an object, no kind, managedFields, directives (400)', () => {
    expect(errorOf(() => apply(undefined, config(web), '')).code).toBe(422);
    expect(errorOf(() => apply(undefined, config(web), 'x'.repeat(129))).code).toBe(422);
    expect(errorOf(() => applyServerSideApply(undefined, [], { kind: 'Deployment', fieldManager: 'k' })).code).toBe(400);
    const { kind: _k, ...noKind } = config(web);
    expect(errorOf(() => apply(undefined, noKind)).code).toBe(400);
    expect(errorOf(() => apply(undefined, { ...config(web), metadata: { name: 'web', managedFields: [] } })).code).toBe(400);
    expect(errorOf(() => apply(undefined, config({ containers: [{ name: 'a', $patch: 'delete' }] }))).code).toBe(400);
  });

  test('does not mutate the live object or the configuration', () => {
    const live = stored(apply(undefined, config(web)).object);
    const next = config({ containers: [{ name: 'web', image: 'x:3' }] });
    const before = JSON.stringify([live, next]);
    const o = apply(live, next).object as any;
    o.metadata.labels.app = 'changed';
    expect(JSON.stringify([live, next])).toBe(before);
  });
});
