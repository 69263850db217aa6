import fc from 'fast-check';
import { collectFieldSet, fieldsV1Of, formatPath, fromFieldsV1, pathKey, pathOf, removePath, toFieldsV1, valueAtPath } from './field-set.ts';
import { schemaForKind } from './merge-keys.ts';
import type { JsonObject } from './json.ts';

describe('field sets (managedFields FieldsV1)', () => {
  const config: JsonObject = {
    metadata: { labels: { app: 'web' }, finalizers: ['a/b'] },
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: 'web', image: 'x:1', ports: [{ containerPort: 80 }], args: ['-v'] }], tolerations: [] } },
    },
  };

  test('collects leaves, keyed elements and set members with Kubernetes encodings', () => {
    const set = collectFieldSet(config, schemaForKind('Deployment'));
    const paths = [...set].map((k) => pathOf(k).join(' '));
    expect(paths.sort()).toEqual([
      'f:metadata f:finalizers v:"a/b"',
      'f:metadata f:labels f:app',
      'f:spec f:replicas',
      'f:spec f:template f:spec f:containers k:{"name":"web"}',
      'f:spec f:template f:spec f:containers k:{"name":"web"} f:args',
      'f:spec f:template f:spec f:containers k:{"name":"web"} f:image',
      'f:spec f:template f:spec f:containers k:{"name":"web"} f:name',
      'f:spec f:template f:spec f:containers k:{"name":"web"} f:ports k:{"containerPort":80}',
      'f:spec f:template f:spec f:containers k:{"name":"web"} f:ports k:{"containerPort":80} f:containerPort',
      'f:spec f:template f:spec f:tolerations',
    ].sort());
  });

  test('FieldsV1 encoding marks members with children by "."', () => {
    const v1 = toFieldsV1(collectFieldSet(config, schemaForKind('Deployment'))) as any;
    expect(v1['f:spec']['f:replicas']).toEqual({});
    const web = v1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}'];
    expect(web['.']).toEqual({});
    expect(web['f:image']).toEqual({});
    expect(v1['f:metadata']['f:finalizers']).toEqual({ 'v:"a/b"': {} });
  });

  test('fromFieldsV1 inverts toFieldsV1 and skips what it cannot read', () => {
    const set = collectFieldSet(config, schemaForKind('Deployment'));
    expect(fromFieldsV1(toFieldsV1(set))).toEqual(set);
    expect(fromFieldsV1({ 'f:a': {}, 'i:0': {}, 'k:notjson': {}, x: {} })).toEqual(new Set([pathKey(['f:a'])]));
    expect(fromFieldsV1('nonsense')).toEqual(new Set());
  });

  test('property: FieldsV1 round trip for arbitrary label maps', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string(), { maxKeys: 5 }), (labels) => {
        const set = collectFieldSet({ metadata: { labels } }, schemaForKind('Pod'));
        expect(fromFieldsV1(toFieldsV1(set))).toEqual(set);
      }),
    );
  });

  test('property: fieldsV1Of (one walk) encodes exactly what toFieldsV1(collectFieldSet) does, key order included', () => {
    // Pod-shaped objects: keyed lists with repeated, missing and null keys, set-like lists with
    // repeated members, nulls, empty objects and lists, and fields no schema knows.
    const small = fc.oneof(fc.constantFrom('a', 'b', 'web'), fc.constant(null), fc.integer({ min: 0, max: 2 }));
    const port = fc.record({ containerPort: fc.oneof(fc.integer({ min: 79, max: 81 }), fc.constant(null)), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: [] });
    const container = fc.record({ name: small, image: small, ports: fc.array(port, { maxLength: 3 }), env: fc.array(fc.record({ name: small, value: small }), { maxLength: 2 }), extra: fc.object({ maxDepth: 2 }) }, { requiredKeys: [] });
    const pod = fc.record({
      metadata: fc.record({ labels: fc.dictionary(fc.constantFrom('x', 'y', '__proto__', '.'), small), finalizers: fc.array(fc.constantFrom('a/b', 'c'), { maxLength: 3 }) }, { requiredKeys: [] }),
      spec: fc.record({ containers: fc.array(container, { maxLength: 3 }), nodeSelector: fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 3 }), small)), tolerations: fc.constant([]), other: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
      status: fc.oneof(fc.constant(null), fc.constant({}), fc.record({ phase: small })),
    }, { requiredKeys: [] });
    const schema = schemaForKind('Pod');
    fc.assert(
      fc.property(pod, (o) => {
        const v = JSON.parse(JSON.stringify(o)) as JsonObject;
        expect(JSON.stringify(fieldsV1Of(v, schema))).toBe(JSON.stringify(toFieldsV1(collectFieldSet(v, schema))));
      }),
      { numRuns: 500 },
    );
  });

  test('valueAtPath, removePath and formatPath follow keyed elements', () => {
    const obj = structuredClone(config);
    const image = ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'];
    expect(valueAtPath(obj, image)).toBe('x:1');
    expect(formatPath(image)).toBe('.spec.template.spec.containers[name="web"].image');
    expect(formatPath(['f:metadata', 'f:finalizers', 'v:"a/b"'])).toBe('.metadata.finalizers[="a/b"]');
    removePath(obj, ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:ports', 'k:{"containerPort":80}']);
    expect((obj as any).spec.template.spec.containers[0].ports).toEqual([]);
    removePath(obj, ['f:metadata', 'f:finalizers', 'v:"a/b"']);
    expect((obj as any).metadata.finalizers).toEqual([]);
    removePath(obj, ['f:spec', 'f:nothing', 'f:here']); // missing paths are a no-op
    removePath(obj, ['f:spec', 'f:replicas']);
    expect((obj as any).spec.replicas).toBeUndefined();
  });
});
