import fc from 'fast-check';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';
import { PatchError } from './errors.ts';
import { parsePointer } from './json-pointer.ts';
import type { JsonValue } from './json.ts';

function errorOf(fn: () => unknown): PatchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PatchError) return e;
    throw e;
  }
  throw new Error('expected a PatchError');
}

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { foo: 'bar', arr: [1, 2, 3], nested: { a: { b: 1 } } };

  test('add: new member, existing member, array insert and append with "-"', () => {
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/baz', value: 'qux' }])).toMatchObject({ baz: 'qux', foo: 'bar' });
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/foo', value: 1 }])).toMatchObject({ foo: 1 });
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/arr/1', value: 9 }])).toMatchObject({ arr: [1, 9, 2, 3] });
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/arr/3', value: 9 }])).toMatchObject({ arr: [1, 2, 3, 9] });
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/arr/-', value: 9 }])).toMatchObject({ arr: [1, 2, 3, 9] });
  });

  test('add at the root replaces the document; value null is a value', () => {
    expect(applyJsonPatch(doc, [{ op: 'add', path: '', value: [1] }])).toEqual([1]);
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/n', value: null }])).toMatchObject({ n: null });
  });

  test('remove and replace', () => {
    expect(applyJsonPatch(doc, [{ op: 'remove', path: '/foo' }])).not.toHaveProperty('foo');
    expect(applyJsonPatch(doc, [{ op: 'remove', path: '/arr/0' }])).toMatchObject({ arr: [2, 3] });
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '/nested/a/b', value: 2 }])).toMatchObject({ nested: { a: { b: 2 } } });
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '/arr/2', value: 'x' }])).toMatchObject({ arr: [1, 2, 'x'] });
  });

  test('replace of a missing object member sets it, as Kubernetes does (not an array index)', () => {
    expect(applyJsonPatch({ metadata: { name: 'x' } }, [{ op: 'replace', path: '/metadata/annotations', value: { a: '1' } }]))
      .toEqual({ metadata: { name: 'x', annotations: { a: '1' } } });
    expect(errorOf(() => applyJsonPatch(doc, [{ op: 'replace', path: '/arr/3', value: 1 }])).code).toBe(422);
  });

  test('move and copy', () => {
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo', path: '/nested/foo' }])).toEqual({
      arr: [1, 2, 3],
      nested: { a: { b: 1 }, foo: 'bar' },
    });
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/arr/0', path: '/arr/-' }])).toMatchObject({ arr: [2, 3, 1] });
    const copied = applyJsonPatch(doc, [{ op: 'copy', from: '/nested/a', path: '/copy' }]) as any;
    expect(copied.copy).toEqual({ b: 1 });
    copied.copy.b = 5;
    expect(copied.nested.a.b).toBe(1); // a copy, not an alias
  });

  test('move onto itself is a no-op; into its own child is refused', () => {
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/nested', path: '/nested' }])).toEqual(doc);
    const e = errorOf(() => applyJsonPatch(doc, [{ op: 'move', from: '/nested', path: '/nested/a/x' }]));
    expect(e.code).toBe(422);
  });

  test('test: passes on deep equality regardless of key order, fails with 422', () => {
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/nested', value: { a: { b: 1 } } }])).toEqual(doc);
    expect(applyJsonPatch({ o: { x: 1, y: 2 } }, [{ op: 'test', path: '/o', value: { y: 2, x: 1 } }])).toEqual({ o: { x: 1, y: 2 } });
    const e = errorOf(() => applyJsonPatch(doc, [{ op: 'test', path: '/foo', value: 'baz' }]));
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toMatch(/test operation failed/);
  });

  test('a failed operation rejects the whole patch (atomicity)', () => {
    const input = { a: 1 };
    expect(() => applyJsonPatch(input, [{ op: 'replace', path: '/a', value: 2 }, { op: 'remove', path: '/zzz' }])).toThrow(PatchError);
    expect(input).toEqual({ a: 1 });
  });

  test('JSON pointer escaping: ~1 is "/", ~0 is "~", "~01" is the literal "~1"', () => {
    const d = { 'a/b': 1, 'm~n': 2, '~1': 3, annotations: {} };
    expect(applyJsonPatch(d, [{ op: 'replace', path: '/a~1b', value: 10 }])).toMatchObject({ 'a/b': 10 });
    expect(applyJsonPatch(d, [{ op: 'replace', path: '/m~0n', value: 20 }])).toMatchObject({ 'm~n': 20 });
    expect(applyJsonPatch(d, [{ op: 'replace', path: '/~01', value: 30 }])).toMatchObject({ '~1': 30 });
    // The usual Kubernetes case: an annotation key with a slash.
    expect(
      applyJsonPatch(d, [{ op: 'add', path: '/annotations/kubernetes.io~1change-cause', value: 'x' }]),
    ).toMatchObject({ annotations: { 'kubernetes.io/change-cause': 'x' } });
    expect(parsePointer('/a~1b/c~0d/')).toEqual(['a/b', 'c~d', '']);
  });

  test('malformed pointers and indices are 422', () => {
    for (const path of ['foo', '/a~2', '/arr/01', '/arr/-1', '/arr/x', '/arr/5']) {
      expect(errorOf(() => applyJsonPatch(doc, [{ op: 'replace', path, value: 1 }])).code).toBe(422);
    }
    expect(errorOf(() => applyJsonPatch(doc, [{ op: 'add', path: '/arr/4', value: 1 }])).code).toBe(422);
    expect(errorOf(() => applyJsonPatch(doc, [{ op: 'remove', path: '/arr/-' }])).code).toBe(422);
  });

  test('missing paths are 422 with the path in the message', () => {
    const cases: unknown[] = [
      { op: 'remove', path: '/nope' },
      { op: 'replace', path: '/nope/deeper', value: 1 },
      { op: 'add', path: '/nope/deeper', value: 1 },
      { op: 'move', from: '/nope', path: '/x' },
      { op: 'copy', from: '/nope', path: '/x' },
      { op: 'test', path: '/nope', value: 1 },
      { op: 'add', path: '/foo/x', value: 1 }, // a string has no members
    ];
    for (const op of cases) {
      const e = errorOf(() => applyJsonPatch(doc, [op]));
      expect(e.code).toBe(422);
      expect(e.message).toMatch(/nope|foo/);
    }
  });

  test('bad operations are 422 (Kubernetes decodes them fine and fails applying them)', () => {
    for (const op of [{ op: 'frobnicate', path: '/a' }, { op: 'add', value: 1 }, { op: 'add', path: '/a' }, { op: 'move', path: '/a' }, { path: '/a' }]) {
      expect(errorOf(() => applyJsonPatch(doc, [op])).code).toBe(422);
    }
  });

  test('a body that is not an array of objects is 400', () => {
    for (const body of [{ op: 'add', path: '/a', value: 1 }, 'x', null, [1], [null]]) {
      const e = errorOf(() => applyJsonPatch(doc, body));
      expect(e.code).toBe(400);
      expect(e.reason).toBe('BadRequest');
    }
  });

  test('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} }));
    expect(errorOf(() => applyJsonPatch({}, ops)).code).toBe(413);
  });

  test('"__proto__" paths address own data only', () => {
    expect(errorOf(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }])).code).toBe(422);
    const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as object;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as any).polluted).toBeUndefined();
  });

  test('kubectl rollout undo: replace /spec/template and /metadata/annotations', () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 't2' } },
          spec: { containers: [{ name: 'web', image: 'x:2' }] },
        },
      },
    };
    const revision1Template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x:1' }] } };
    const out = applyJsonPatch(deploy, [
      { op: 'replace', path: '/spec/template', value: revision1Template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
    ]);
    expect(out).toEqual({
      ...deploy,
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { replicas: 3, template: revision1Template },
    });
  });

  test('client-node scale: replace /spec/replicas', () => {
    expect(applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 3 }])).toEqual({ spec: { replicas: 3 } });
  });

  // Random operations against random documents: whether they succeed or fail, the inputs stay as they were.
  const pathArb = fc.oneof(
    fc.constant(''),
    fc.array(fc.oneof(fc.constantFrom('a', 'b', '0', '1', '-', 'x~1y'), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 3 }).map((t) => `/${t.join('/')}`),
  );
  const opArb = fc.oneof(
    fc.record({ op: fc.constantFrom('add', 'replace', 'test'), path: pathArb, value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ op: fc.constant('remove'), path: pathArb }),
    fc.record({ op: fc.constantFrom('move', 'copy'), from: pathArb, path: pathArb }),
  );
  const docArb = fc.dictionary(fc.constantFrom('a', 'b', 'x/y'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 });

  test('property: never mutates the document or the operations', () => {
    fc.assert(
      fc.property(docArb, fc.array(opArb, { maxLength: 5 }), (d, ops) => {
        const before = JSON.stringify([d, ops]);
        try {
          applyJsonPatch(d as JsonValue, ops);
        } catch (e) {
          expect(e).toBeInstanceOf(PatchError);
        }
        expect(JSON.stringify([d, ops])).toBe(before);
      }),
    );
  });

  test('property: add then remove of a new member restores the document', () => {
    fc.assert(
      fc.property(docArb, fc.jsonValue({ maxDepth: 2 }), (d, value) => {
        const out = applyJsonPatch(d as JsonValue, [
          { op: 'add', path: '/fresh', value },
          { op: 'remove', path: '/fresh' },
        ]);
        expect(out).toEqual(d);
      }),
    );
  });
});
