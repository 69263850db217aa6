import { applyPatch, patchTypeOf, PatchError, PATCH_CONTENT_TYPES } from './index.ts';

function errorOf(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

describe('patchTypeOf', () => {
  test('maps the four content types, with parameters and any case', () => {
    expect(patchTypeOf('application/json-patch+json')).toBe('json-patch');
    expect(patchTypeOf('application/merge-patch+json')).toBe('merge-patch');
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic-merge-patch');
    expect(patchTypeOf('application/apply-patch+yaml')).toBe('apply-patch');
    expect(patchTypeOf('application/strategic-merge-patch+json; charset=utf-8')).toBe('strategic-merge-patch');
    expect(patchTypeOf(' Application/Merge-Patch+JSON ;charset=UTF-8')).toBe('merge-patch');
    for (const type of Object.keys(PATCH_CONTENT_TYPES)) expect(patchTypeOf(PATCH_CONTENT_TYPES[type as keyof typeof PATCH_CONTENT_TYPES])).toBe(type);
  });

  test('anything else is undefined (415)', () => {
    for (const ct of [undefined, '', 'application/json', 'application/yaml', 'application/apply-patch+cbor', 'text/plain']) {
      expect(patchTypeOf(ct)).toBeUndefined();
    }
  });
});

describe('applyPatch', () => {
  const deploy = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '3' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'x:1' }, { name: 'side', image: 's:1' }] } } },
  };

  test('merge-patch from a raw body (kubectl scale)', () => {
    const { object, created } = applyPatch('merge-patch', deploy, '{"spec":{"replicas":4}}', { kind: 'Deployment' });
    expect(created).toBe(false);
    expect((object as any).spec.replicas).toBe(4);
  });

  test('json-patch from bytes', () => {
    const body = new TextEncoder().encode('[{"op":"replace","path":"/spec/replicas","value":2}]');
    expect((applyPatch('json-patch', deploy, body, { kind: 'Deployment' }).object as any).spec.replicas).toBe(2);
  });

  test('strategic-merge-patch from a parsed body merges containers by name', () => {
    const { object } = applyPatch('strategic-merge-patch', deploy, { spec: { template: { spec: { containers: [{ name: 'web', image: 'x:2' }] } } } }, { kind: 'Deployment' });
    expect((object as any).spec.template.spec.containers).toEqual([{ name: 'web', image: 'x:2' }, { name: 'side', image: 's:1' }]);
  });

  test('apply-patch creates (JSON body, as kubectl sends it) and then updates (YAML body)', () => {
    const json = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } });
    const first = applyPatch('apply-patch', undefined, json, { kind: 'Deployment', fieldManager: 'kubectl', now: '2025-01-01T00:00:00Z' });
    expect(first.created).toBe(true);
    const yaml = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n';
    const second = applyPatch('apply-patch', first.object, yaml, { kind: 'Deployment', fieldManager: 'kubectl' });
    expect(second.created).toBe(false);
    expect((second.object as any).spec.replicas).toBe(3);
  });

  test('apply-patch without a fieldManager is 422', () => {
    expect(errorOf(() => applyPatch('apply-patch', undefined, { apiVersion: 'v1', kind: 'Pod' }, { kind: 'Pod' })).code).toBe(422);
  });

  test('undecodable bodies are 400', () => {
    expect(errorOf(() => applyPatch('merge-patch', deploy, '{nope', { kind: 'Deployment' })).code).toBe(400);
    expect(errorOf(() => applyPatch('json-patch', deploy, '[', { kind: 'Deployment' })).code).toBe(400);
    expect(errorOf(() => applyPatch('apply-patch', deploy, 'a: [', { kind: 'Deployment', fieldManager: 'k' })).code).toBe(400);
    expect(errorOf(() => applyPatch('apply-patch', deploy, 'a: 1\na: 2\n', { kind: 'Deployment', fieldManager: 'k' })).code).toBe(400);
  });

  test('a merge patch that is not an object is 400; a JSON patch replacing the root with a non-object is 422', () => {
    expect(errorOf(() => applyPatch('merge-patch', deploy, '[1]', { kind: 'Deployment' })).code).toBe(400);
    expect(errorOf(() => applyPatch('json-patch', deploy, [{ op: 'replace', path: '', value: 1 }], { kind: 'Deployment' })).code).toBe(422);
  });

  test('patching a missing object (other than apply) is 404', () => {
    expect(errorOf(() => applyPatch('merge-patch', undefined, {}, { kind: 'Deployment' })).code).toBe(404);
  });
});
