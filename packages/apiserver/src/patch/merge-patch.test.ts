import fc from 'fast-check';
import { applyMergePatch } from './merge-patch.ts';
import { isObject, jsonEqual, type JsonObject, type JsonValue } from './json.ts';

describe('applyMergePatch (RFC 7386)', () => {
  // The examples of RFC 7386 appendix A, in order.
  const rfcCases: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  test.each(rfcCases)('RFC example %#', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  test('kubectl scale: {"spec":{"replicas":4}} changes only replicas', () => {
    const deploy = { metadata: { name: 'web' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'web' }] } } } };
    expect(applyMergePatch(deploy, { spec: { replicas: 4 } })).toEqual({
      metadata: { name: 'web' },
      spec: { replicas: 4, template: { spec: { containers: [{ name: 'web' }] } } },
    });
  });

  test('does not mutate its inputs and shares no structure with them', () => {
    const target = { a: { b: [1, 2] }, keep: { x: 1 } };
    const patch = { a: { c: { d: 1 } } };
    const before = JSON.stringify([target, patch]);
    const out = applyMergePatch(target, patch) as any;
    expect(JSON.stringify([target, patch])).toBe(before);
    out.keep.x = 2;
    out.a.c.d = 2;
    expect(target.keep.x).toBe(1);
    expect(patch.a.c.d).toBe(1);
  });

  test('a "__proto__" key is data, not a prototype change', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true}}');
    const out = applyMergePatch({}, patch) as JsonObject;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as any).polluted).toBeUndefined();
  });

  // A merge patch computed from a diff reproduces the target. Nulls inside objects are left out
  // of the generated values because RFC 7386 cannot express "set this key to null".
  const jsonWithoutNullMembers = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      fc.array(tie('any'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 5 }),
    ),
    any: fc.oneof(tie('value'), fc.constant(null)),
  })).value as fc.Arbitrary<JsonValue>;

  function computeMergePatch(from: JsonValue, to: JsonValue): JsonValue {
    if (!isObject(from) || !isObject(to)) return to;
    const patch: JsonObject = {};
    for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) patch[k] = null;
    for (const k of Object.keys(to)) {
      if (!Object.hasOwn(from, k)) patch[k] = to[k];
      else if (!jsonEqual(from[k], to[k])) patch[k] = computeMergePatch(from[k], to[k]);
    }
    return patch;
  }

  test('property: applying the diff of (a, b) to a gives b', () => {
    fc.assert(
      fc.property(jsonWithoutNullMembers, jsonWithoutNullMembers, (a, b) => {
        expect(applyMergePatch(a, computeMergePatch(a, b))).toEqual(b);
      }),
    );
  });

  test('property: applying a patch twice is the same as once (idempotence)', () => {
    fc.assert(
      fc.property(fc.jsonValue() as fc.Arbitrary<JsonValue>, fc.jsonValue() as fc.Arbitrary<JsonValue>, (t, p) => {
        const once = applyMergePatch(t, p);
        expect(applyMergePatch(once, p)).toEqual(once);
      }),
    );
  });
});
