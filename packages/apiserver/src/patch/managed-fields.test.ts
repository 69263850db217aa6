import { managerOf, recordUpdate } from './managed-fields.ts';
import type { JsonObject } from './json.ts';

const T = '2026-01-01T00:00:00Z';
const own = (manager: string, subresource = '') => ({ kind: 'Deployment', manager, apiVersion: 'apps/v1', subresource, statusSubresource: true, now: T });
const web = (replicas: number, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, ...extra },
});

describe('recordUpdate', () => {
  test('a create owns every field it sets (not name, not status of a kind with a status subresource)', () => {
    const o = recordUpdate(undefined, { ...web(2), status: { replicas: 9 } }, own('kubectl-create')) as any;
    expect(o.metadata.managedFields).toEqual([
      { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {}, 'f:selector': { 'f:matchLabels': { 'f:app': {} } } } } },
    ]);
  });

  test('an update takes the fields it changes from other managers; unchanged fields stay theirs', () => {
    const created = recordUpdate(undefined, web(2), own('kubectl-create'));
    const edited = recordUpdate(created, { ...web(5), metadata: { ...(created.metadata as JsonObject) } }, own('kubectl-edit')) as any;
    const [create, edit] = edited.metadata.managedFields;
    expect(create.manager).toBe('kubectl-create');
    expect(create.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(create.fieldsV1['f:spec']).toHaveProperty('f:selector');
    expect(edit).toMatchObject({ manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });
  });

  test('removing a field takes it from its owner; a manager left with nothing leaves the list', () => {
    const created = recordUpdate(undefined, web(2, { paused: true }), own('a'));
    const next = web(2);
    next.metadata = { ...(created.metadata as JsonObject) };
    const o = recordUpdate(created, next, own('b')) as any;
    expect(o.metadata.managedFields.map((e: any) => e.manager)).toEqual(['a']);
    expect(o.metadata.managedFields[0].fieldsV1['f:spec']).not.toHaveProperty('f:paused');
  });

  test('a status write owns status fields only, with subresource "status"', () => {
    const created = recordUpdate(undefined, web(2), own('kubectl-create'));
    const o = recordUpdate(created, { ...created, status: { replicas: 2 } }, own('deployment-controller', 'status')) as any;
    expect(o.metadata.managedFields[1]).toEqual({ manager: 'deployment-controller', operation: 'Update', apiVersion: 'apps/v1', time: T, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:replicas': {} } }, subresource: 'status' });
  });
});

test('managerOf: the fieldManager, else the User-Agent product; over 128 bytes is 422', () => {
  expect(managerOf('kubectl-edit', 'kubectl/v1.32.0 (linux/amd64)')).toBe('kubectl-edit');
  expect(managerOf(undefined, 'kubectl/v1.32.0 (linux/amd64)')).toBe('kubectl');
  expect(managerOf(undefined, undefined)).toBe('unknown');
  expect(() => managerOf('x'.repeat(129), undefined)).toThrow(/Too long/);
});
